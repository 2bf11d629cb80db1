"""The checks of one variant: grapheme counting, network limits, media, alt text, links, quality flags."""

from __future__ import annotations

import pytest

from flokk.channels.networks import RULES, Network
from flokk.content.services.checks import (
    MediaInfo,
    VariantDraft,
    check_variant,
    clean_hashtags,
    counted_length,
    grapheme_count,
    normalize_text,
)

IMAGE = MediaInfo(name="a.jpg", kind="image", mime_type="image/jpeg", size_bytes=1000, alt_text="A dog")


def codes(
    draft: VariantDraft, *, require_alt_text: bool = True, recent: frozenset[str] = frozenset()
) -> set[str]:
    return {c.code for c in check_variant(draft, require_alt_text=require_alt_text, recent_texts=recent)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hej", 3),
        ("👨‍👩‍👧‍👦", 1),  # family: four people joined by ZWJ
        ("🇸🇪🇳🇴🇩🇰", 3),  # three flags, two regional indicators each
        ("e\u0301", 1),  # e + combining acute accent
        ("Å\u030a", 1),
        ("👍🏽", 1),  # emoji + skin tone modifier
        ("a\r\nb", 3),  # CRLF is one grapheme
    ],
)
def test_graphemes_count_what_a_reader_sees(text, expected):
    assert grapheme_count(text) == expected


@pytest.mark.parametrize(
    ("network", "limit"),
    [
        (Network.BLUESKY, 300),
        (Network.X, 280),
        (Network.MASTODON, 500),
        (Network.LINKEDIN, 3000),
        (Network.FACEBOOK, 63206),
        (Network.INSTAGRAM, 2200),
    ],
)
def test_each_network_limit_exactly_at_and_over(network, limit):
    assert RULES[network].max_text_graphemes == limit
    media = (IMAGE,)  # Instagram refuses posts without media; keep that out of this test
    at = VariantDraft(network=network, text="x" * limit, media=media)
    over = VariantDraft(network=network, text="x" * (limit + 1), media=media)
    assert "too_long" not in codes(at)
    assert "near_limit" in codes(at)
    assert "too_long" in codes(over)


def test_limit_counts_emoji_as_one_each():
    # 300 family emoji are 300 graphemes but 2,100 code points: still fits Bluesky
    draft = VariantDraft(network=Network.BLUESKY, text="👨‍👩‍👧‍👦" * 300)
    assert "too_long" not in codes(draft)
    assert "too_long" in codes(VariantDraft(network=Network.BLUESKY, text="👨‍👩‍👧‍👦" * 301))


def test_near_limit_starts_at_ninety_percent():
    assert "near_limit" not in codes(VariantDraft(network=Network.BLUESKY, text="x" * 269))
    assert "near_limit" in codes(VariantDraft(network=Network.BLUESKY, text="x" * 270))


def test_hashtags_and_link_are_counted():
    draft = VariantDraft(network=Network.BLUESKY, text="x" * 280, hashtags=("spring", "launch"))
    # 280 + blank line + "#spring #launch"
    assert counted_length(draft, RULES[Network.BLUESKY]) == 280 + 2 + 15
    assert "too_long" not in codes(draft)
    with_link = VariantDraft(network=Network.BLUESKY, text="x" * 280, link="https://example.com/a-long-path")
    assert "too_long" in codes(with_link)


def test_x_counts_every_link_as_23_characters():
    link = "https://example.com/" + "a" * 100
    draft = VariantDraft(network=Network.X, text="y" * 250 + " " + link)
    assert counted_length(draft, RULES[Network.X]) == 251 + 23
    assert "too_long" not in codes(draft)


def test_instagram_needs_media_and_links_are_not_clickable():
    draft = VariantDraft(network=Network.INSTAGRAM, text="Look at https://example.com")
    found = codes(draft)
    assert "media_required" in found
    assert "link_not_clickable" in found
    assert "media_required" not in codes(VariantDraft(network=Network.INSTAGRAM, text="hi", media=(IMAGE,)))


def test_media_count_type_and_size():
    too_many = VariantDraft(network=Network.BLUESKY, text="hi", media=(IMAGE,) * 5)
    assert "too_many_media" in codes(too_many)
    assert "too_many_media" not in codes(VariantDraft(network=Network.BLUESKY, text="hi", media=(IMAGE,) * 4))
    tiff = MediaInfo(name="a.tiff", kind="image", mime_type="image/tiff", size_bytes=10, alt_text="x")
    assert "media_type" in codes(VariantDraft(network=Network.BLUESKY, text="hi", media=(tiff,)))
    big = MediaInfo(
        name="big.jpg", kind="image", mime_type="image/jpeg", size_bytes=2 * 1024 * 1024, alt_text="x"
    )
    assert "media_too_large" in codes(VariantDraft(network=Network.BLUESKY, text="hi", media=(big,)))
    assert "media_too_large" not in codes(VariantDraft(network=Network.FACEBOOK, text="hi", media=(big,)))


def test_alt_text_required_only_when_the_policy_says_so():
    bare = MediaInfo(name="a.jpg", kind="image", mime_type="image/jpeg", size_bytes=10)
    draft = VariantDraft(network=Network.MASTODON, text="hi", media=(bare,))
    checks = check_variant(draft, require_alt_text=True)
    assert [c.level for c in checks if c.code == "alt_text_missing"] == ["error"]
    assert "alt_text_missing" not in codes(draft, require_alt_text=False)
    video = MediaInfo(name="v.mp4", kind="video", mime_type="video/mp4", size_bytes=10)
    assert "alt_text_missing" not in codes(VariantDraft(network=Network.MASTODON, text="hi", media=(video,)))


def test_expired_rights_are_an_error():
    expired = MediaInfo(
        name="a.jpg", kind="image", mime_type="image/jpeg", size_bytes=10, alt_text="x", rights_expired=True
    )
    assert "rights_expired" in codes(VariantDraft(network=Network.MASTODON, text="hi", media=(expired,)))


def test_quality_flags_are_warnings_with_reasons():
    linkedin = VariantDraft(network=Network.LINKEDIN, text="https://example.com/news")
    checks = {c.code: c for c in check_variant(linkedin, require_alt_text=True)}
    assert checks["no_visual"].level == "warning"
    assert checks["link_only"].level == "warning"
    assert "reach" in checks["no_visual"].message
    # Bluesky is not a visual network: no visual flag there
    assert "no_visual" not in codes(VariantDraft(network=Network.BLUESKY, text="hello"))
    assert "link_only" not in codes(VariantDraft(network=Network.BLUESKY, text="Read this: https://e.com"))
    assert "link_only" in codes(VariantDraft(network=Network.BLUESKY, text="", link="https://e.com"))


def test_repeat_of_a_recent_post_is_flagged_whatever_the_spacing_and_case():
    recent = frozenset({normalize_text("Hello  World\n")})
    assert "repeat" in codes(VariantDraft(network=Network.BLUESKY, text="hello world"), recent=recent)
    assert "repeat" not in codes(VariantDraft(network=Network.BLUESKY, text="hello there"), recent=recent)


def test_a_clean_post_has_no_findings():
    assert (
        check_variant(VariantDraft(network=Network.MASTODON, text="Good morning!"), require_alt_text=True)
        == []
    )


def test_empty_post_is_an_error():
    assert "empty" in codes(VariantDraft(network=Network.MASTODON, text="  "))


def test_clean_hashtags():
    assert clean_hashtags("#a b, #c #a") == ("a", "b", "c")
    assert clean_hashtags(["#x", "y"]) == ("x", "y")
