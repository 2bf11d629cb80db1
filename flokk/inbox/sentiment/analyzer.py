"""Lexicon-and-rules sentiment for social-media comments (sv, da, nb, en), in one tokenizing pass.

Why rules and not a model: nothing may be downloaded at run time, and the ingest path analyses tens of
thousands of comments a second. The score follows VADER's shape (sum of word valences, negation, boosters,
"but", "!" emphasis, normalised with x / sqrt(x² + 15)), with Nordic word order (the negator often follows the
verb: "funkar inte"), intensifying compounds ("jättebra"), emoji, slang and sarcasm markers added.

Speed: every token costs one dict lookup in a per-language table; only the few tokens that mean something
(sentiment words, emoji, negators, boosters, contrast words, punctuation) enter the rule loop, and scopes are
measured as distances between token positions.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import NamedTuple, cast

from flokk.inbox.sentiment import rules
from flokk.inbox.sentiment.language import language_from_tokens
from flokk.inbox.sentiment.lexicon import build_lexicons, split_phrases

POSITIVE_THRESHOLD = 0.2
NEGATIVE_THRESHOLD = -0.1
QUESTION_DAMPING = 0.6  # questions carry less sentiment than statements with the same words
NORMALISATION_ALPHA = 15.0

EMOJI_RANGES = "\U0001f300-\U0001faff\u2600-\u27bf\u2b50\u2b55\u2764\u203c\u2049"
TOKEN_RE = re.compile(rf"[\w'\u2019]+|[.,;!?{EMOJI_RANGES}]")
CAPS_WORD_RE = re.compile(r"\b[^\W\d_a-zåäöæøéü]{3,}\b")  # three or more letters, none lower-case
NO_CAPS: frozenset[str] = frozenset()
EMOTICON_RE = re.compile(r"<3|(?<!\w)[:;=]['\-]?[()dp\[\]/](?!\w)")  # ":)", ";-)", ":(", ":d", "<3"
URL_OR_MENTION_RE = re.compile(r"https?://\S+|www\.\S+|@[\w.]+")  # "#fail" keeps its word
QUOTED_RE = re.compile(
    rf"[{re.escape(rules.QUOTE_CHARACTERS)}]([^{re.escape(rules.QUOTE_CHARACTERS)}]{{1,60}})"
)
SARCASM_RE = re.compile(
    r"(?:^|(?<=[\s.,!?]))(?:"
    + "|".join(re.escape(phrase) for phrase in rules.SARCASM_PHRASES)
    + r")(?=$|[\s.,!?])"
)
# Only run SARCASM_RE when one of these words (the phrases' first words) occurs, or "/s".
SARCASM_TRIGGERS = frozenset(
    phrase.split()[0].strip(",") for phrase in rules.SARCASM_PHRASES if phrase != "/s"
)

# Kinds of meaningful tokens.
WORD, EMOJI, NEGATOR, BOOSTER, CONTRAST, BREAK = range(6)


class Entry(NamedTuple):
    kind: int
    valence: float  # sentiment valence (for a booster: its own valence, used when it stands alone)
    multiplier: float = 1.0  # boosters only
    phrases: dict[str, float] | None = None  # second word -> valence, for two-word phrases starting here


SECOND: Callable[[tuple[int, Entry | None]], object] = itemgetter(1)  # is the entry there (non-empty tuple)?


@dataclass(frozen=True, slots=True)
class Sentiment:
    label: str  # "positive", "neutral" or "negative"
    score: float  # -1 .. 1
    language: str  # "sv", "da", "nb", "en", or "" when it cannot tell


@dataclass(frozen=True, slots=True)
class LanguageTable:
    entries: dict[str, Entry]
    words: dict[str, float]
    prefixes: dict[str, tuple[str, ...]]  # first two letters -> intensifying prefixes starting with them
    compound_re: re.Pattern[str]  # finds words that start with an intensifying prefix


def build_tables() -> dict[str, LanguageTable]:
    lexicons, emoji = build_lexicons()
    tables = {}
    for language in rules.LANGUAGES:
        words, phrases = split_phrases(lexicons[language])
        entries: dict[str, Entry] = {word: Entry(WORD, valence) for word, valence in words.items()}
        for first, following in phrases.items():
            entries[first] = entries.get(first, Entry(WORD, 0.0))._replace(phrases=following)
        for word, multiplier in rules.INTENSIFIERS[language].items():
            entries[word] = Entry(BOOSTER, words.get(word, 0.0), multiplier, phrases.get(word))
        for word in rules.CONTRAST_WORDS[language]:
            entries[word] = Entry(CONTRAST, 0.0)
        for word in rules.NEGATIONS[language] | rules.ENGLISH_NEGATORS:
            entries[word] = Entry(NEGATOR, 0.0, phrases=phrases.get(word))
        for symbol, valence in emoji.items():
            entries[symbol] = Entry(EMOJI, valence)
        for mark in ".,;!?":
            entries[mark] = Entry(BREAK, 0.0)
        prefixes: dict[str, tuple[str, ...]] = {}
        for prefix in rules.INTENSIFYING_PREFIXES[language]:
            prefixes[prefix[:2]] = (*prefixes.get(prefix[:2], ()), prefix)
        # No word-start anchor: a literal-led pattern lets the regex engine skip ahead fast; a match inside a
        # word only sends the comment down the slower exact path.
        compound_re = re.compile(
            "(?:" + "|".join(map(re.escape, rules.INTENSIFYING_PREFIXES[language])) + r")-?\w{3,}"
        )
        tables[language] = LanguageTable(entries, words, prefixes, compound_re)
    return tables


TABLES = build_tables()
LAST_TOKENIZED: list[tuple[str, list[str]]] = [("", [])]
NEUTRAL = {language: Sentiment("neutral", 0.0, language) for language in ("", *rules.LANGUAGES)}


def tokenize(text: str) -> tuple[str, list[str]]:
    """Lower-case the text, drop links and @mentions; split it into words, emoji and punctuation."""
    lowered = text.lower()
    if "http" in lowered or "www." in lowered or "@" in lowered:
        lowered = URL_OR_MENTION_RE.sub(" ", lowered)
    tokens = TOKEN_RE.findall(lowered)
    if ":" in lowered or ";" in lowered or "<3" in lowered or "=" in lowered:
        tokens += EMOTICON_RE.findall(lowered)  # emoticons only add valence: their position does not matter
    LAST_TOKENIZED[0] = (text, tokens)
    return lowered, tokens


def tokens_of(text: str) -> list[str]:
    """`tokenize(text)`'s tokens, reused when `text` is the very string analysed last.

    The ingest path analyses each message and then classifies its intent; sharing the one tokenizing pass
    saves the intent step most of its cost. Only the last string is remembered, by identity, so this never
    returns another text's tokens.
    """
    last = LAST_TOKENIZED[0]
    if last[0] is text:
        return last[1]
    return tokenize(text)[1]


def compound_valence(word: str, table: LanguageTable) -> float | None:
    """Valence of an intensified compound such as "jättebra" or "kjempeirriterende", else None."""
    for prefix in table.prefixes.get(word[:2], ()):
        if word.startswith(prefix) and len(word) > len(prefix) + 2:
            valence = table.words.get(word[len(prefix) :].lstrip("-"))
            if valence is not None:
                return valence * rules.PREFIX_BOOST
    return None


def meaningful_tokens(
    tokens: list[str], table: LanguageTable, lowered: str, entries: list[Entry | None]
) -> list[tuple[int, Entry]]:
    """(position, entry) of every token that can move the score; the rest only count as distance."""
    if table.compound_re.search(lowered) is None:  # the common case: no "jätte-"/"kjempe-" compounds
        return cast("list[tuple[int, Entry]]", list(filter(SECOND, enumerate(entries))))  # all in C
    heads = table.prefixes
    found = []
    for position, (token, entry) in enumerate(zip(tokens, entries, strict=True)):
        if entry is None:
            if len(token) > 5 and token[:2] in heads:
                valence = compound_valence(token, table)
                if valence is not None:
                    found.append((position, Entry(WORD, valence)))
            continue
        found.append((position, entry))
    return found


def raw_valence(
    tokens: list[str], table: LanguageTable, text: str, lowered: str, entries: list[Entry | None]
) -> tuple[float, bool]:
    """Word and emoji valences summed under negation, boosters and contrast; plus a sarcasm-emoji flag."""
    # ALL-CAPS words ("DÅLIGT"): found once, at the first strong word, if capitals follow the first letter.
    caps: frozenset[str] | None = None if not text[1:].islower() else NO_CAPS
    total = 0.0
    before_contrast = 0.0
    seen_contrast = False
    sarcastic = False
    negator_at = -99  # position of the open negator, if any
    backward = 0.0  # positive valence just before the negator ("funkar inte"), flipped if nothing follows
    booster_at = -99
    boost = 1.0
    booster_valence = 0.0  # own valence of boosters ("super!") that end up boosting nothing
    last_at = -99
    last_valence = 0.0
    skip_at = -1
    for position, (kind, valence, multiplier, follow) in meaningful_tokens(tokens, table, lowered, entries):
        if position == skip_at:
            continue
        if negator_at >= 0 and position - negator_at > rules.NEGATION_SCOPE:
            total += backward * (rules.NEGATION_SCALAR - 1.0)
            negator_at, backward = -99, 0.0
        if booster_at >= 0 and position - booster_at > 2:
            total += booster_valence
            booster_at, boost, booster_valence = -99, 1.0, 0.0
        if follow is not None and position + 1 < len(tokens) and tokens[position + 1] in follow:
            kind = WORD
            valence = follow[tokens[position + 1]]
            skip_at = position + 1
        if kind == WORD:
            if not valence:
                continue
            if booster_at >= 0:
                valence *= boost
                booster_at, boost, booster_valence = -99, 1.0, 0.0
            if caps is not NO_CAPS and (valence >= 1.0 or valence <= -1.0):
                if caps is None:
                    caps = frozenset(word.lower() for word in CAPS_WORD_RE.findall(text)) or NO_CAPS
                if tokens[position] in caps:
                    valence *= rules.CAPS_BOOST
            if negator_at >= 0:
                valence *= rules.NEGATION_SCALAR
                negator_at, backward = -99, 0.0
            total += valence
            last_at, last_valence = position, valence
        elif kind == EMOJI:
            total += valence
            if tokens[position] in rules.SARCASM_EMOJI:
                sarcastic = True
        elif kind == NEGATOR:
            negator_at = position
            backward = last_valence if position - last_at <= 2 and last_valence > 0 else 0.0
        elif kind == BOOSTER:
            booster_at = position
            boost *= multiplier
            booster_valence += valence
        else:  # BREAK or CONTRAST closes open scopes
            total += backward * (rules.NEGATION_SCALAR - 1.0) + booster_valence
            negator_at, backward = -99, 0.0
            booster_at, boost, booster_valence = -99, 1.0, 0.0
            last_at = -99
            if kind == CONTRAST:
                before_contrast += total
                total = 0.0
                seen_contrast = True
    total += backward * (rules.NEGATION_SCALAR - 1.0) + booster_valence
    if seen_contrast:
        total = before_contrast * rules.BEFORE_CONTRAST + total * rules.AFTER_CONTRAST
    return total, sarcastic


def has_quoted_praise(lowered: str, words: dict[str, float]) -> bool:
    """True when a short quoted span holds a positive word: '"Snabb leverans" sa ni ja...'."""
    for span in QUOTED_RE.findall(lowered):
        for token in TOKEN_RE.findall(span):
            if words.get(token, 0.0) >= 1.0:
                return True
    return False


def is_sarcastic(lowered: str, tokens: list[str], words: dict[str, float]) -> bool:
    if ("/s" in lowered or not SARCASM_TRIGGERS.isdisjoint(tokens)) and SARCASM_RE.search(lowered):
        return True
    has_quotes = '"' in lowered or "“" in lowered or "”" in lowered or "«" in lowered or "„" in lowered
    return has_quotes and has_quoted_praise(lowered, words)


def score_text(
    text: str, lowered: str, tokens: list[str], language: str, entries: list[Entry | None]
) -> Sentiment:
    table = TABLES[language or "en"]
    total, sarcastic = raw_valence(tokens, table, text, lowered, entries)
    if sarcastic or is_sarcastic(lowered, tokens, table.words):
        sarcastic = True
        total = min(-0.5 * abs(total), 0.0) + rules.SARCASM_NEGATIVE
    if total and "!" in lowered:
        total += math.copysign(
            min(lowered.count("!"), rules.MAX_EXCLAMATIONS) * rules.EXCLAMATION_BOOST, total
        )
    if "?" in lowered and not sarcastic:
        total *= QUESTION_DAMPING
        if "??" in lowered:  # repeated question marks read as impatience: "Varför tar det två veckor??"
            total += rules.IMPATIENCE
    if not total:
        return NEUTRAL[language]
    score = total / math.sqrt(total * total + NORMALISATION_ALPHA)
    if score >= POSITIVE_THRESHOLD:
        return Sentiment("positive", score, language)
    if score <= NEGATIVE_THRESHOLD:
        return Sentiment("negative", score, language)
    return Sentiment("neutral", score, language)


def detect_language(text: str) -> str:
    """ "sv", "da", "nb" or "en" by majority of the comment's words; "" when there are no usable words."""
    lowered, tokens = tokenize(text)
    return language_from_tokens(tokens, lowered, text)


def analyze(text: str, language: str | None = None) -> Sentiment:
    """Sentiment of one comment; `language` (if given and known) skips detection."""
    if not text:
        return NEUTRAL[language if language in TABLES else ""]
    lowered, tokens = tokenize(text)
    if language not in TABLES:
        language = language_from_tokens(tokens, lowered, text)
    language = language or ""
    entries = list(map(TABLES[language or "en"].entries.get, tokens))
    return score_text(text, lowered, tokens, language, entries)


def analyze_many(texts: Iterable[str], languages: Sequence[str | None] | None = None) -> list[Sentiment]:
    """`analyze` over many comments; `languages` (same length) may give each comment's known language."""
    if languages is None:
        return [analyze(text) for text in texts]
    return [analyze(text, language) for text, language in zip(texts, languages, strict=True)]
