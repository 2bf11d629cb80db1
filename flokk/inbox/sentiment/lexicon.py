"""Builds one word -> valence table per language from asent's lexicons plus Flokk's additions and corrections.

Order of precedence (later wins): asent's lexicon, English loanwords (sv/da/nb only, where the language has
no entry), our additions, our corrections; then Danish and Norwegian lend each other the words they lack.
Emoji valences are shared by every language. Everything is read once at import; the analyzer only does dict
lookups.
"""

from __future__ import annotations

import json
from pathlib import Path

from flokk.inbox.sentiment.rules import LANGUAGES, NEGATIONS

HERE = Path(__file__).resolve().parent
VENDOR = HERE / "vendor" / "asent"
DATA = HERE / "data"
ASENT_FILES = {
    "sv": "sv_lexicon_v1.txt",
    "da": "da_lexicon_afinn_v1.txt",
    "nb": "no_lexicon_v1.txt",
    "en": "en_lexicon_v1.txt",
}
NORDIC = ("sv", "da", "nb")


def read_asent_lexicon(path: Path, negations: frozenset[str]) -> dict[str, float]:
    """asent's text format: word, valence, then optional columns we do not use, tab-separated.

    Phrases holding a negator ("kan inte", "ikke god") are dropped: our negation rule scores those, and a
    phrase entry would swallow the negator ("kan inte klaga" must stay positive).
    """
    table: dict[str, float] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        columns = line.split("\t")
        if len(columns) >= 2 and columns[0]:
            word = columns[0].lower()
            if " " in word and negations.intersection(word.split()):
                continue
            table[word] = float(columns[1])
    return table


def read_flokk_table(path: Path) -> list[tuple[str, str, float]]:
    """Our TSV format: language, word, valence, note; '#' starts a comment line."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        columns = line.split("\t")
        if len(columns) != 4:
            raise ValueError(f"{path.name}:{number}: expected 4 tab-separated columns, got {len(columns)}")
        language, word, valence, _note = columns
        rows.append((language, word.lower(), float(valence)))
    return rows


def build_lexicons() -> tuple[dict[str, dict[str, float]], dict[str, float]]:
    """Return ({language: {word: valence}}, {emoji: valence})."""
    lexicons = {
        language: read_asent_lexicon(VENDOR / name, NEGATIONS[language])
        for language, name in ASENT_FILES.items()
    }
    emoji = {key: float(value) for key, value in json.loads((VENDOR / "emoji_v1.json").read_text()).items()}
    additions = read_flokk_table(DATA / "additions.tsv")
    corrections = read_flokk_table(DATA / "corrections.tsv")
    for language, word, valence in additions:
        if language == "loan":
            for nordic in NORDIC:
                lexicons[nordic].setdefault(word, valence)
    for language, word, valence in additions + corrections:
        if language == "emoji":
            emoji[word] = valence
        elif language in lexicons:
            lexicons[language][word] = valence
        elif language != "loan":
            raise ValueError(f"unknown language {language!r} for {word!r}")
    assert set(lexicons) == set(LANGUAGES)
    # Danish and Norwegian share most words and are easily mistaken for each other in short comments: each
    # falls back on the other's entries (after corrections) for words it lacks.
    danish, norwegian = dict(lexicons["da"]), dict(lexicons["nb"])
    for word, valence in norwegian.items():
        lexicons["da"].setdefault(word, valence)
    for word, valence in danish.items():
        lexicons["nb"].setdefault(word, valence)
    return lexicons, emoji


def split_phrases(lexicon: dict[str, float]) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """Separate single words from two-word phrases, keyed first word -> {second word: valence}."""
    words: dict[str, float] = {}
    phrases: dict[str, dict[str, float]] = {}
    for key, valence in lexicon.items():
        parts = key.split()
        if len(parts) == 1:
            words[key] = valence
        elif len(parts) == 2:
            phrases.setdefault(parts[0], {})[parts[1]] = valence
    return words, phrases
