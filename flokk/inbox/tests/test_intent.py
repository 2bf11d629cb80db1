"""Intent rules: default rules in sv, da, nb and en, the priority order, keyword syntax and the rule cache."""

from __future__ import annotations

import pytest

from flokk.inbox import intent
from flokk.inbox.intent import DEFAULT_INTENT_RULES, IntentRule, classify_intent, compile_rules, compiled
from flokk.inbox.sentiment import analyze


def classify(text: str, rules: tuple[IntentRule, ...] = DEFAULT_INTENT_RULES) -> str:
    """The ingest path: detect language and sentiment, then classify."""
    sentiment = analyze(text)
    return classify_intent(text, sentiment.language, sentiment.label, rules)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # abuse
        ("Ni är idioter allihop", "abuse"),
        ("Håll käften", "abuse"),
        ("I er nogle idioter", "abuse"),
        ("Hold kjeft, dere er noen tullinger", "abuse"),
        ("Shut up you moron", "abuse"),
        # spam
        ("Earn money fast with crypto, DM me! https://spam.example", "spam"),
        ("Följ tillbaka så följer jag er", "spam"),
        ("Følg tilbage! Tjek min profil", "spam"),
        ("Tjen penger hjemmefra, sjekk profilen min", "spam"),
        # lead
        ("Vad kostar det för 50 licenser?", "lead"),
        ("Kan jag få en offert?", "lead"),
        ("Hvad koster jeres abonnement, hvis vi er 20 i firmaet?", "lead"),
        ("Hva koster abonnementet?", "lead"),
        ("How much is the enterprise plan? Can we book a demo?", "lead"),
        # complaint
        ("Paketet kom trasigt och ingen svarar", "complaint"),
        ("Jag vill göra en reklamation", "complaint"),
        ("Jeg vil have mine penge tilbage", "complaint"),
        ("Leveransen er forsinket igjen, elendig", "complaint"),
        ("My order still hasn't arrived, terrible", "complaint"),
        # question
        ("Har ni öppet på söndag?", "question"),
        ("Undrar om ni har den i blått", "question"),
        ("Hvornår åbner I?", "question"),
        ("Når åpner dere?", "question"),
        ("Do you ship to Iceland?", "question"),
        # praise
        ("Grymt bra service, tack!", "praise"),
        ("Tusind tak for hjælpen", "praise"),
        ("Tusen takk, dere er best", "praise"),
        ("Love it, great job!", "praise"),
        # none
        ("Okej", ""),
        ("", ""),
    ],
)
def test_default_rules(text: str, expected: str) -> None:
    assert classify(text) == expected


def test_priority_abuse_spam_lead_complaint_question_praise() -> None:
    rules = (
        IntentRule("praise", ("word",)),
        IntentRule("question", ("word",)),
        IntentRule("complaint", ("word",)),
        IntentRule("lead", ("word",)),
        IntentRule("spam", ("word",)),
        IntentRule("abuse", ("word",)),
    )
    for expected in intent.PRIORITY:
        assert classify_intent("a word here", "en", "neutral", rules) == expected
        rules = tuple(item for item in rules if item.intent != expected)
    assert classify_intent("a word here", "en", "neutral", rules) == ""


def test_negative_message_with_a_problem_word_is_a_complaint() -> None:
    assert classify_intent("Leveransen kom inte", "sv", "negative") == "complaint"
    assert classify_intent("Leveransen kom inte", "sv", "neutral") == ""
    assert classify_intent("The app keeps logging me out", "en", "negative") == "complaint"
    assert classify_intent("Jag är ledsen idag", "sv", "negative") == ""


def test_a_negative_question_about_a_problem_is_a_complaint() -> None:
    assert classify("Varför tar det två veckor att få pengarna tillbaka??") == "complaint"
    assert classify("Hvorfor er min pakke stadig ikke kommet? Elendigt") == "complaint"


def test_positive_without_other_intent_is_praise_and_negative_never_is() -> None:
    assert classify_intent("Vilken dag!", "sv", "positive") == "praise"
    assert classify_intent("Tusen tack för ingenting", "sv", "negative") == ""
    assert classify_intent("Har ni öppet? Ni är bäst", "sv", "positive") == "question"


def test_keywords_match_whole_words_case_insensitively() -> None:
    rules = (IntentRule("lead", ("Demo",)),)
    assert classify_intent("Can we get a DEMO?", "en", "neutral", rules) == "lead"
    assert classify_intent("Saw the demonstration", "en", "neutral", rules) == ""


def test_trailing_star_is_a_prefix_match() -> None:
    rules = (IntentRule("complaint", ("leverans*",)),)
    assert classify_intent("Leveranstiden är lång", "sv", "neutral", rules) == "complaint"
    assert classify_intent("Leverans", "sv", "neutral", rules) == "complaint"
    assert classify_intent("Snabbleverans", "sv", "neutral", rules) == ""


def test_phrases_and_phrase_prefixes() -> None:
    rules = (IntentRule("lead", ("vad kostar",)), IntentRule("spam", ("follow back*",)))
    assert classify_intent("Hej, vad kostar den?", "sv", "neutral", rules) == "lead"
    assert classify_intent("Vad sägs om att den kostar mer", "sv", "neutral", rules) == ""
    assert classify_intent("follow backs welcome", "en", "neutral", rules) == "spam"


def test_question_mark_keyword() -> None:
    rules = (IntentRule("question", ("?",)),)
    assert classify_intent("Öppet idag?", "sv", "neutral", rules) == "question"
    assert classify_intent("Öppet idag.", "sv", "neutral", rules) == ""


def test_language_specific_rules_apply_only_to_their_language() -> None:
    rules = (IntentRule("abuse", ("dust",), "nb"),)
    assert classify_intent("Din dust", "nb", "negative", rules) == "abuse"
    assert classify_intent("There is dust on the box", "en", "neutral", rules) == ""
    assert classify_intent("dust", "", "neutral", rules) == "abuse"  # unknown language: every rule applies


def test_unknown_intent_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown intent"):
        compile_rules((IntentRule("urgent", ("now",)),))


def test_a_rule_set_is_compiled_once() -> None:
    rules = (IntentRule("lead", ("offert",)), IntentRule("question", ("?",)))
    equal_rules = (IntentRule("lead", ("offert",)), IntentRule("question", ("?",)))
    first = compiled(rules)
    assert compiled(rules) is first
    assert compiled(equal_rules) is first  # cached by value, not only by identity
    assert compiled(DEFAULT_INTENT_RULES) is compiled(DEFAULT_INTENT_RULES)
