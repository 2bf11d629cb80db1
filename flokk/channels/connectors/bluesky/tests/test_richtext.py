"""Post text and facets, without a network: byte offsets are what Bluesky counts, not characters."""

from __future__ import annotations

from flokk.channels.connectors.bluesky.richtext import byte_offset, compose_text, facets, grapheme_count


def spans(text: str) -> list[tuple[str, int, int]]:
    return [(f["features"][0]["$type"], f["index"]["byteStart"], f["index"]["byteEnd"]) for f in facets(text)]


def test_a_link_after_swedish_letters_starts_at_its_byte_offset_not_its_character_offset():
    text = "Håll åäö https://example.se/"

    ((kind, start, end),) = spans(text)

    assert kind == "app.bsky.richtext.facet#link"
    assert text.index("https") == 9
    assert (start, end) == (13, 13 + len("https://example.se/"))
    assert text.encode()[start:end] == b"https://example.se/"


def test_hashtags_are_tagged_without_their_sign_and_with_trailing_punctuation_left_out():
    text = "Nu kör vi! #Flokk, #våren2026. #123 och ord#inte"

    found = [
        (f["features"][0]["tag"], text.encode()[f["index"]["byteStart"] : f["index"]["byteEnd"]])
        for f in facets(text)
    ]

    assert found == [("Flokk", b"#Flokk"), ("v\u00e5ren2026", "#våren2026".encode())]


def test_a_link_ends_before_the_sentence_ends_and_its_fragment_is_not_a_hashtag():
    text = "Läs https://example.se/a#b. Sedan #mer"

    found = [(kind, text.encode()[start:end].decode()) for kind, start, end in spans(text)]

    assert found == [
        ("app.bsky.richtext.facet#link", "https://example.se/a#b"),
        ("app.bsky.richtext.facet#tag", "#mer"),
    ]


def test_emoji_count_as_one_character_but_four_bytes():
    text = "👩‍👩‍👧 #familj"

    assert grapheme_count(text) == len(" #familj") + 1
    assert spans(text)[0][1] == byte_offset(text, text.index("#")) == len("👩‍👩‍👧 ".encode())


def test_the_link_and_hashtags_the_text_lacks_are_added_once():
    text = compose_text("Hej #flokk", link="https://example.se/", hashtags=("Flokk", "#sverige"))

    assert text == "Hej #flokk\n\n#sverige\n\nhttps://example.se/"
    assert compose_text(text, link="https://example.se/", hashtags=("sverige",)) == text
