"""Intent of an inbound message: question, complaint, praise, lead, spam, abuse, or "" when none applies.

Rules are plain data the team can edit (`IntentRule`): a keyword is a case-insensitive word or phrase
matched on word boundaries, a trailing `*` makes its last word a prefix ("leverans*"), and the keyword "?"
means the text holds a question mark. The first intent that matches, by the fixed priority abuse > spam >
lead > complaint > question > praise, wins. A negative message that mentions a problem word (an order, a
delivery, the app...) is a complaint even without a complaint keyword; a positive message with no other
intent is praise.

Matching works on the message's words as the sentiment analyzer splits them (reusing its pass when the same
message was just analysed), then dict lookups in a per-rule-set memo of the words already met, so a rule set
of hundreds of keywords costs about as much as a short one; each rule set is compiled once and cached.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import cast

from flokk.inbox.sentiment.analyzer import tokens_of

PRIORITY = ("abuse", "spam", "lead", "complaint", "question", "praise")
INTENTS = frozenset(PRIORITY)
PROBLEM = "problem"  # internal: a problem word, compiled into every rule set from PROBLEM_RULES
WORD_RE = re.compile(r"[\w'\u2019]+")  # splits keywords the way the sentiment tokenizer splits messages
MAX_MEMO_WORDS = 200_000
NOTHING: frozenset[str] = frozenset()


@dataclass(frozen=True)
class IntentRule:
    intent: str
    keywords: tuple[str, ...]
    language: str = ""  # "" applies to every language


def rule(intent: str, keywords: str, language: str = "") -> IntentRule:
    """Shorthand for the defaults below: keywords separated by commas."""
    return IntentRule(
        intent, tuple(keyword.strip() for keyword in keywords.split(",") if keyword.strip()), language
    )


DEFAULT_INTENT_RULES: tuple[IntentRule, ...] = (
    # Abuse: insults aimed at people (kept mild here; organizations add their own lists).
    rule(
        "abuse",
        "idiot, idiots, moron, morons, dumbass, shut up, fuck you, f u, go to hell, scum, loser, losers",
    ),
    rule("abuse", "idioter, pucko, dumskalle, håll käften, håll truten, dra åt helvete, fan ta er", "sv"),
    rule("abuse", "idioter, klaphat, kraftidiot, hold kæft, skrid ad helvede, fjols, fjolser", "da"),
    rule("abuse", "idioter, tulling, kødd, dust, drittsekk, hold kjeft, dra til helvete, fjols", "nb"),
    # Spam: link bait, follower schemes, crypto.
    rule(
        "spam",
        "crypto*, bitcoin, btc, forex, nft, follow back, follow for follow, f4f, dm me, check my profile, "
        "check my bio, link in my bio, click the link, earn money, make money, onlyfans, whatsapp me, "
        "telegram me, investment opportunity, cheap followers, free followers, kryptovaluta*",
    ),
    rule("spam", "tjäna pengar, följ tillbaka, kolla min profil, skriv dm", "sv"),
    rule("spam", "tjen penge, følg tilbage, tjek min profil, skriv dm", "da"),
    rule("spam", "tjen penger, følg tilbake, sjekk profilen min, skriv dm", "nb"),
    # Lead: interest in buying.
    rule(
        "lead",
        "how much is, how much does, how much for, pricing, price list, quote, demo, wholesale, bulk order, "
        "where can i buy, interested in buying, for our company, enterprise plan, reseller",
        "en",
    ),
    rule(
        "lead",
        "vad kostar, vad är priset, prislista, offert*, demo, grossist, återförsäljare, var kan jag köpa, "
        "vill köpa, intresserad av att köpa, till vårt företag, företagsavtal, kostar det",
        "sv",
    ),
    rule(
        "lead",
        "hvad koster, hvad er prisen, prisliste, tilbud på, demo, forhandler, engros, hvor kan jeg købe, "
        "vil gerne købe, til vores firma, firmaaftale, koster det",
        "da",
    ),
    rule(
        "lead",
        "hva koster, hva er prisen, prisliste, tilbud på, demo, forhandler, engros, hvor kan jeg kjøpe, "
        "vil gjerne kjøpe, til bedriften vår, bedriftsavtale, koster det",
        "nb",
    ),
    # Complaint: explicit complaint words (a negative message with a problem word is one too, see below).
    rule(
        "complaint",
        "complaint, refund*, money back, worst, never again, unacceptable, scam, rip off, ripoff, "
        "chargeback, terrible service, bad service, disgrace*",
        "en",
    ),
    rule(
        "complaint",
        "klagomål, reklamation, reklamera, pengarna tillbaka, pengar tillbaka, återbetalning*, sämsta, "
        "aldrig mer, aldrig igen, skandal*, oacceptabelt, dålig service, usel*, bedrövlig*, "
        "konsumentverket, arn",
        "sv",
    ),
    rule(
        "complaint",
        "en klage, vil klage, reklamation, reklamere, pengene tilbage, penge tilbage, pengene retur, værste, "
        "aldrig igen, skandale*, uacceptabelt, dårlig service, elendig*, forbrugerrådet",
        "da",
    ),
    rule(
        "complaint",
        "en klage, vil klage, reklamasjon, reklamere, pengene tilbake, penger tilbake, refusjon*, verste, "
        "aldri igjen, aldri mer, skandale*, uakseptabelt, dårlig service, elendig*, forbrukerrådet",
        "nb",
    ),
    # Question.
    rule("question", "?"),
    rule("question", "wondering, anyone know, does anyone, how do i, how can i, can you tell me", "en"),
    rule("question", "undrar, någon som vet, hur gör man, kan ni berätta", "sv"),
    rule("question", "gad vide, nogen der ved, hvordan gør man, kan i fortælle", "da"),
    rule("question", "lurer på, noen som vet, hvordan gjør man, kan dere fortelle", "nb"),
    # Praise (only when the message is not negative).
    rule(
        "praise",
        "thank you, thanks so much, love it, amazing, awesome, great job, well done, recommend*",
        "en",
    ),
    rule(
        "praise", "tusen tack, stort tack, tack så mycket, älskar, fantastisk*, supernöjd, rekommender*", "sv"
    ),
    rule("praise", "tusind tak, mange tak, elsker, fantastisk*, anbefale*, super god", "da"),
    rule("praise", "tusen takk, mange takk, elsker, fantastisk*, anbefale*, kjempefornøyd", "nb"),
)

# Problem words: a negative message that mentions one of these is a complaint.
PROBLEM_RULES: tuple[IntentRule, ...] = (
    rule(
        "complaint",
        "deliver*, package*, parcel*, order*, app, apps, website, site, support, customer service, refund*, "
        "return*, invoice*, charge*, payment*, account*, login, staff, wait*, broken, broke, damaged, wrong, "
        "late, delay*, quality, service, price*, shipping, crash*, error*, bug*",
        "en",
    ),
    rule(
        "complaint",
        "leverans*, paket*, order*, beställ*, app*, hemsida*, sajt*, kundtjänst*, kundservice*, support*, "
        "retur*, faktura*, betal*, konto*, inlogg*, personal*, kö, vänta*, trasig*, fel, sönder, försen*, "
        "kvalitet*, service, pris*, frakt*, kraschar, krasch*",
        "sv",
    ),
    rule(
        "complaint",
        "levering*, pakke*, ordre*, bestil*, app*, hjemmeside*, kundeservice*, support*, retur*, faktura*, "
        "betal*, konto*, login, personale*, kø, vente*, venter, stykker, fejl*, forsink*, kvalitet*, "
        "service, pris*, fragt*, crash*",
        "da",
    ),
    rule(
        "complaint",
        "levering*, pakke*, ordre*, bestill*, app*, nettside*, kundeservice*, support*, retur*, faktura*, "
        "betal*, konto*, innlogg*, ansatte, kø, vente*, venter, ødelagt*, feil*, forsink*, kvalitet*, "
        "service, pris*, frakt*, krasj*",
        "nb",
    ),
)


@dataclass(frozen=True)
class CompiledRules:
    """Keywords indexed for lookups: whole words, prefixes by first three letters, phrases by anchor word."""

    words: dict[str, tuple[tuple[str, str], ...]]  # word -> ((intent, language), ...)
    prefixes: dict[str, tuple[tuple[str, str, str], ...]]  # first 3 letters -> ((prefix, intent, language),)
    short_prefixes: tuple[tuple[str, str, str], ...]  # prefixes under 3 letters, checked against every word
    # anchor word -> ((phrase words, anchor position in the phrase, intent, language), ...). The anchor is the
    # phrase's longest whole word: rarer than its first word ("en klage" is found through "klage").
    phrases: dict[str, tuple[tuple[tuple[str, ...], int, str, str], ...]]
    anchors: frozenset[str]  # keys of phrases, for one set intersection per message
    # Language -> word -> the intents its word and prefix keywords give, filled as words are met so each
    # message costs one C-level map() over its words; started afresh when it grows past MAX_MEMO_WORDS.
    memo: dict[str, dict[str, frozenset[str]]] = field(default_factory=dict, compare=False)


def compile_rules(rules: tuple[IntentRule, ...]) -> CompiledRules:
    """Index the rules' keywords, plus PROBLEM_RULES' keywords under the internal intent "problem"."""
    problem_rules = tuple(IntentRule(PROBLEM, item.keywords, item.language) for item in PROBLEM_RULES)
    return index_keywords((*rules, *problem_rules))


def index_keywords(rules: tuple[IntentRule, ...]) -> CompiledRules:
    words: dict[str, list[tuple[str, str]]] = {}
    prefixes: dict[str, list[tuple[str, str, str]]] = {}
    short_prefixes: list[tuple[str, str, str]] = []
    phrases: dict[str, list[tuple[tuple[str, ...], int, str, str]]] = {}
    for item in rules:
        if item.intent not in INTENTS and item.intent != PROBLEM:
            raise ValueError(f"unknown intent {item.intent!r}")
        for keyword in item.keywords:
            keyword = keyword.lower().strip()
            if keyword == "?":  # the message tokenizer keeps "?" as a token of its own
                words.setdefault("?", []).append((item.intent, item.language))
                continue
            parts = WORD_RE.findall(keyword)
            if not parts:
                continue
            if keyword.endswith("*"):
                parts[-1] += "*"
            if len(parts) > 1:
                whole = [word for word in parts if not word.endswith("*")]
                anchor = max(whole, key=len)
                phrases.setdefault(anchor, []).append(
                    (tuple(parts), parts.index(anchor), item.intent, item.language)
                )
            elif parts[0].endswith("*"):
                prefix = parts[0].rstrip("*")
                target = (prefix, item.intent, item.language)
                if len(prefix) >= 3:
                    prefixes.setdefault(prefix[:3], []).append(target)
                elif prefix:
                    short_prefixes.append(target)
            else:
                words.setdefault(parts[0], []).append((item.intent, item.language))
    return CompiledRules(
        words={key: tuple(value) for key, value in words.items()},
        prefixes={key: tuple(value) for key, value in prefixes.items()},
        short_prefixes=tuple(short_prefixes),
        phrases={anchor: tuple(targets) for anchor, targets in phrases.items()},
        anchors=frozenset(phrases),
    )


@lru_cache(maxsize=128)
def compile_cached(rules: tuple[IntentRule, ...]) -> CompiledRules:
    return compile_rules(rules)


LAST_COMPILED: list[tuple[tuple[IntentRule, ...], CompiledRules]] = []


def compiled(rules: tuple[IntentRule, ...]) -> CompiledRules:
    """Identity check first: hashing a long rules tuple on every message would cost more than matching."""
    if LAST_COMPILED and LAST_COMPILED[0][0] is rules:
        return LAST_COMPILED[0][1]
    result = compile_cached(rules)
    LAST_COMPILED[:] = [(rules, result)]
    return result


def phrase_at(words: tuple[str, ...], tokens: list[str], start: int) -> bool:
    """Whether `words` occur at `start` (the last word may end in "*", a prefix)."""
    if start < 0:
        return False
    found = tokens[start : start + len(words)]
    if len(found) < len(words):
        return False
    last = words[-1]
    if last.endswith("*"):
        return found[:-1] == list(words[:-1]) and found[-1].startswith(last[:-1])
    return found == list(words)


def keyword_intents(word: str, table: CompiledRules, language: str) -> frozenset[str]:
    """Intents whose word or prefix keywords match one word, for rules of `language` ("": every rule)."""
    pairs = [*table.words.get(word, ())]
    for prefix, intent, rule_language in (*table.prefixes.get(word[:3], ()), *table.short_prefixes):
        if word.startswith(prefix):
            pairs.append((intent, rule_language))
    found = frozenset(intent for intent, rule_language in pairs if applies(rule_language, language))
    return found or NOTHING


def applies(rule_language: str, language: str) -> bool:
    return not rule_language or not language or rule_language == language


def matched_intents(tokens: list[str], table: CompiledRules, language: str) -> set[str]:
    """Intents with a keyword in the message; rules for another language are skipped ("": all apply)."""
    memo = table.memo.get(language)
    if memo is None or len(memo) > MAX_MEMO_WORDS:
        memo = table.memo[language] = {}
    matches = list(map(memo.get, tokens))
    if None in matches:
        for index, intents in enumerate(matches):
            if intents is None:
                token = tokens[index]
                intents = memo.get(token)  # a word repeated in this message is memoised by now
                if intents is None:
                    intents = memo[token] = keyword_intents(token, table, language)
                matches[index] = intents
    found: set[str] = set().union(*cast("list[frozenset[str]]", matches))  # no None left
    anchors = table.anchors.intersection(tokens)
    if anchors:
        found.update(phrase_intents(anchors, tokens, table, language))
    return found


def phrase_intents(
    anchors: frozenset[str], tokens: list[str], table: CompiledRules, language: str
) -> set[str]:
    found: set[str] = set()
    for anchor in anchors:
        position = -1
        for _ in range(tokens.count(anchor)):
            position = tokens.index(anchor, position + 1)
            for words, offset, intent, rule_language in table.phrases[anchor]:
                if applies(rule_language, language) and phrase_at(words, tokens, position - offset):
                    found.add(intent)
    return found


def classify_intent(
    text: str, language: str, sentiment_label: str, rules: tuple[IntentRule, ...] = DEFAULT_INTENT_RULES
) -> str:
    """The message's intent by the fixed priority, or "" when none applies."""
    last = LAST_COMPILED[0] if LAST_COMPILED else None
    table = last[1] if last is not None and last[0] is rules else compiled(rules)
    found = matched_intents(tokens_of(text), table, language)
    if sentiment_label == "negative":
        found.discard("praise")
        if PROBLEM in found:
            found.add("complaint")
    for intent in PRIORITY:
        if intent in found:
            return intent
    return "praise" if sentiment_label == "positive" else ""
