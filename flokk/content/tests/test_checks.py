"""The checks of one variant: grapheme counting, network limits, media, alt text, links, quality flags."""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from flokk.channels.networks import RULES, Network
from flokk.content.services.checks import (
    Check,
    HashtagRules,
    MediaInfo,
    VariantDraft,
    check_variant,
    clean_hashtags,
    counted_length,
    grapheme_count,
    hashtags_used,
    normalize_text,
)
from flokk.content.services.posts import PostInput, check_drafts, create_post, post_checks
from flokk.content.tests.helpers import network_account
from flokk.strategy.services.strategy import current_content, save_strategy

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


# --- hashtags against the strategy's rules -------------------------------------------------------------
def hashtag_checks(draft: VariantDraft, rules: HashtagRules | None = None) -> dict[str, Check]:
    found = check_variant(draft, require_alt_text=False, hashtag_rules=rules)
    return {c.code: c for c in found if "hashtag" in c.code}


def test_hashtags_count_from_the_list_and_the_text_in_any_script_and_case():
    draft = VariantDraft(
        network=Network.MASTODON,
        text="Sol! #Sommarrea på #ærø och #ÆRØ, se https://e.com/a#top, #1 och e-post#x",
        hashtags=("sommarrea", "Fika"),
    )
    assert hashtags_used(draft) == ["sommarrea", "Fika", "ærø"]
    # "e" + combining ring typed separately is the same tag as the composed one
    decomposed = VariantDraft(network=Network.MASTODON, text="#a\u030arhus", hashtags=("Århus",))
    assert hashtags_used(decomposed) == ["Århus"]


def test_too_many_hashtags_against_the_network_default_and_the_strategy():
    tags = ("a", "b", "c")
    # X: two are usual; LinkedIn: three
    assert "too_many_hashtags" in hashtag_checks(VariantDraft(network=Network.X, text="hi", hashtags=tags))
    assert hashtag_checks(VariantDraft(network=Network.LINKEDIN, text="hi", hashtags=tags)) == {}
    # The strategy's number wins over the network's, both ways
    strict = hashtag_checks(
        VariantDraft(network=Network.LINKEDIN, text="hi #d", hashtags=tags), HashtagRules(max_per_post=1)
    )
    check = strict["too_many_hashtags"]
    assert check.level == "warning"
    assert "#a #b #c #d" in check.message and "at most 1" in check.message
    loose = VariantDraft(network=Network.X, text="hi", hashtags=tags)
    assert hashtag_checks(loose, HashtagRules(max_per_post=5)) == {}


def test_banned_hashtag_is_named_whatever_its_case():
    rules = HashtagRules(banned=("Rea", "ad"))
    found = hashtag_checks(VariantDraft(network=Network.MASTODON, text="Ny #REA i dag"), rules)
    assert found["banned_hashtag"].level == "warning"
    assert "#REA" in found["banned_hashtag"].message
    assert "#ad" not in found["banned_hashtag"].message


def test_one_of_the_required_hashtags_must_be_there():
    rules = HashtagRules(required=("Flokk", "FlokkLife"))
    missing = hashtag_checks(VariantDraft(network=Network.MASTODON, text="Hej #fika"), rules)
    assert missing["required_hashtag_missing"].level == "warning"
    assert "#Flokk #FlokkLife" in missing["required_hashtag_missing"].message
    assert hashtag_checks(VariantDraft(network=Network.MASTODON, text="Hej #flokklife"), rules) == {}
    assert (
        hashtag_checks(VariantDraft(network=Network.MASTODON, text="Hej", hashtags=("FLOKK",)), rules) == {}
    )


# --- the scheduled time against the network's good hours ------------------------------------------------
def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2030, 3, 12, hour, minute, tzinfo=ZoneInfo("Europe/Stockholm"))


@pytest.mark.parametrize(
    ("network", "hour", "minute", "flagged"),
    [
        (Network.LINKEDIN, 9, 30, False),  # inside 08-11
        (Network.LINKEDIN, 13, 0, False),  # two hours after: still fine
        (Network.LINKEDIN, 13, 1, True),
        (Network.LINKEDIN, 5, 59, True),
        (Network.INSTAGRAM, 16, 30, True),  # between 11-14 and 19-21, 2.5 h from both
        (Network.INSTAGRAM, 17, 0, False),
        (Network.BLUESKY, 22, 0, False),
        (Network.BLUESKY, 23, 0, True),
        (Network.BLUESKY, 6, 0, False),
        (Network.FACEBOOK, 2, 0, True),
        (Network.X, 14, 0, False),
        (Network.SANDBOX, 3, 0, False),  # no good hours known: nothing to say
    ],
)
def test_a_time_far_from_the_good_hours_is_flagged(network, hour, minute, flagged):
    draft = VariantDraft(network=network, text="Hello", media=(IMAGE,))
    found = {c.code: c for c in check_variant(draft, require_alt_text=True, scheduled_local=at(hour, minute))}
    assert ("off_hours" in found) is flagged
    if flagged:
        assert found["off_hours"].level == "warning"
        assert f"{hour:02d}:{minute:02d}" in found["off_hours"].message
        start, end = RULES[network].good_hours[0]
        assert f"{start:02d}:00-{end:02d}:00" in found["off_hours"].message


def test_an_unscheduled_post_has_no_timing_advice():
    draft = VariantDraft(network=Network.LINKEDIN, text="Hello", media=(IMAGE,))
    assert "off_hours" not in codes(draft)


# --- the checks of a saved post use the strategy and the organization's clock -----------------------------
@pytest.mark.django_db
def test_saved_post_checks_use_strategy_rules_and_local_time(demo, member):
    writer, strategist = member("copywriter"), member("head-of-social")
    content = current_content(demo.strategy)
    save_strategy(
        demo,
        dataclasses.replace(content, max_hashtags=1, required_hashtags=["Flokk"], banned_hashtags=["spam"]),
        actor=strategist,
    )
    demo.time_zone = "Europe/Oslo"
    demo.save(update_fields=["time_zone"])
    account = network_account(demo, Network.LINKEDIN)
    tomorrow = timezone.localdate(timezone=ZoneInfo("Europe/Oslo")) + dt.timedelta(days=2)
    three_am = dt.datetime.combine(tomorrow, dt.time(3, 0), tzinfo=ZoneInfo("Europe/Oslo"))
    post = create_post(
        demo,
        PostInput(account_ids=[account.pk], text="Hej #spam #fika", scheduled_at=three_am),
        actor=writer,
    )
    found = {c.code for c in post_checks(post)["linkedin"]}
    assert {"too_many_hashtags", "banned_hashtag", "required_hashtag_missing", "off_hours"} <= found
    # 10:00 in Oslo is 09:00 UTC: a good hour on the organization's clock
    post.scheduled_at = three_am.replace(hour=10)
    assert "off_hours" not in {c.code for c in post_checks(post)["linkedin"]}


@pytest.mark.django_db
def test_checking_drafts_costs_the_same_queries_for_one_network_or_many(demo, django_assert_num_queries):
    one = [VariantDraft(network=Network.LINKEDIN, text="a")]
    many = [VariantDraft(network=n, text="a") for n in (Network.LINKEDIN, Network.X, Network.BLUESKY)]
    scheduled = timezone.now() + dt.timedelta(days=1)
    with CaptureQueriesContext(connection) as first:
        check_drafts(demo, one, scheduled_at=scheduled)
    with django_assert_num_queries(len(first.captured_queries)):
        check_drafts(demo, many, scheduled_at=scheduled)
    assert len(first.captured_queries) == 3  # policy, recent texts, strategy
