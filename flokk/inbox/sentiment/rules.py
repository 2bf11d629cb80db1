"""Word lists that steer the lexicon score: negation, intensifiers, contrast and sarcasm, per language.

Kept as plain data so the team can read and extend them; `analyzer.py` compiles them once at import.
"""

from __future__ import annotations

LANGUAGES = ("sv", "da", "nb", "en")

# A negator flips the valence of the next few words (until punctuation or a contrast word).
NEGATIONS: dict[str, frozenset[str]] = {
    "sv": frozenset({"inte", "ej", "aldrig", "inga", "ingen", "inget", "icke", "utan", "knappast", "int"}),
    "da": frozenset({"ikke", "ik", "aldrig", "ingen", "intet", "uden", "næppe", "ingenting"}),
    "nb": frozenset({"ikke", "ikkje", "aldri", "ingen", "intet", "uten", "neppe", "null", "ingenting"}),
    "en": frozenset({"not", "never", "no", "nobody", "nothing", "without", "hardly", "nor", "zero", "none"}),
}
# English contractions are negators in every language (Nordic comments mix English in), with either apostrophe
# and without one.
# fmt: off
ENGLISH_NEGATORS = frozenset(
    form
    for stem in ("don", "doesn", "didn", "isn", "wasn", "aren", "weren", "can", "couldn", "won", "wouldn",
                 "shouldn", "haven", "hasn", "hadn", "ain")
    for form in (f"{stem}'t", f"{stem}\u2019t", f"{stem}t")
) - {"cant", "wont"} | {"can't", "won't"}
# fmt: on

# Words that scale the next sentiment word: > 1 intensifies, < 1 diminishes.
# fmt: off
INTENSIFIERS: dict[str, dict[str, float]] = {
    "sv": {"mycket": 1.3, "väldigt": 1.35, "jätte": 1.4, "super": 1.4, "riktigt": 1.3, "verkligen": 1.3,
        "otroligt": 1.4, "extremt": 1.5, "sjukt": 1.4, "helt": 1.2, "så": 1.25, "sååå": 1.4, "himla": 1.3,
        "fett": 1.3, "grymt": 1.4, "ruskigt": 1.35, "jävla": 1.5, "jävligt": 1.5, "fan": 1.4, "skit": 1.4,
        "totalt": 1.3, "ganska": 0.85, "rätt": 0.9, "lite": 0.6, "något": 0.7, "typ": 0.9, "nästan": 0.7,
        "mega": 1.4, "ännu": 1.2,
    },
    "da": {"meget": 1.3, "virkelig": 1.3, "rigtig": 1.3, "rigtigt": 1.3, "super": 1.4, "mega": 1.4,
        "kæmpe": 1.4, "vildt": 1.4, "sindssygt": 1.5, "utroligt": 1.4, "ekstremt": 1.5, "helt": 1.2,
        "så": 1.25, "såå": 1.4, "pisse": 1.5, "fandme": 1.5, "totalt": 1.3, "simpelthen": 1.2,
        "fuldstændig": 1.3, "ret": 0.85, "temmelig": 0.85, "lidt": 0.6, "noget": 0.8, "næsten": 0.7,
        "endnu": 1.2, "hammer": 1.4, "bare": 1.1,
    },
    "nb": {"veldig": 1.3, "kjempe": 1.4, "skikkelig": 1.35, "super": 1.4, "mega": 1.4, "sykt": 1.4,
        "utrolig": 1.4, "ekstremt": 1.5, "helt": 1.2, "så": 1.25, "såå": 1.4, "svært": 1.3, "jævla": 1.5,
        "jævlig": 1.5, "drit": 1.4, "totalt": 1.3, "ganske": 0.85, "litt": 0.6,
        "noe": 0.8, "nesten": 0.7, "enda": 1.2, "virkelig": 1.3,
    },
    "en": {"very": 1.3, "so": 1.25, "sooo": 1.4, "soooo": 1.4, "really": 1.3, "super": 1.4,
        "extremely": 1.5, "incredibly": 1.4, "insanely": 1.4, "totally": 1.3, "completely": 1.3,
        "absolutely": 1.3, "such": 1.2, "freaking": 1.4, "fucking": 1.5, "damn": 1.3, "way": 1.2,
        "too": 1.15, "highly": 1.3, "pretty": 0.85, "quite": 0.9, "slightly": 0.6, "somewhat": 0.7,
        "bit": 0.7, "little": 0.7, "kinda": 0.7, "barely": 0.5, "almost": 0.7, "even": 1.2, "most": 1.2,
        "mega": 1.4,
    },
}

# Prefixes that make intensified compounds: "jättebra", "kjempebra", "megagod", "skitdåligt", "pissegodt".
# At least four letters each (short ones like "as-"/"ur-" would match inside too many words); "asbra" and
# "urdåligt" are lexicon entries instead.
INTENSIFYING_PREFIXES: dict[str, tuple[str, ...]] = {
    "sv": ("jätte", "super", "mega", "sjukt", "skit", "kanon", "toppen", "grym", "hyper", "ultra"),
    "da": ("kæmpe", "super", "mega", "pisse", "hammer", "skide", "ultra", "vildt", "brand"),
    "nb": ("kjempe", "super", "mega", "drit", "sykt", "ultra", "hyper", "kanon"),
    "en": ("super", "mega", "ultra", "hyper", "over"),
}
# fmt: on
PREFIX_BOOST = 1.35

# After a contrast word the second clause dominates: "snygg reklam men produkten håller inte".
CONTRAST_WORDS: dict[str, frozenset[str]] = {
    "sv": frozenset({"men", "fast", "dock"}),
    "da": frozenset({"men", "dog"}),
    "nb": frozenset({"men", "dog", "likevel"}),
    "en": frozenset({"but", "however", "though", "yet"}),
}
BEFORE_CONTRAST = 0.5
AFTER_CONTRAST = 1.5

# Sarcasm markers: phrases (matched on word boundaries in the lower-cased text) and emoji. When present,
# positive wording is read as negative ("Tack för ingenting", "Snyggt jobbat 🙄", "yeah right").
SARCASM_PHRASES: tuple[str, ...] = (
    "/s",
    "yeah right",
    "yeah, right",
    "thanks for nothing",
    "thanks a bunch",
    "oh great",
    "just great",
    "what a surprise",
    "tack för ingenting",
    "tack för inget",
    "tack för den liksom",
    "jaja",
    "ja ja",
    "jo tack",
    "tak for ingenting",
    "tak for intet",
    "takk for ingenting",
    "takk for ingen ting",
)
SARCASM_EMOJI = frozenset({"🙄", "🙃", "🤡", "😒"})
# Praise words in quotes are usually sarcastic: "Snabb leverans" sa ni ja...
QUOTE_CHARACTERS = '"“”«»„'
SARCASM_NEGATIVE = -1.5  # raw valence added for a sarcasm marker, and the floor for flipped praise

# "!" adds emphasis in the direction of the sentiment, up to this many marks.
EXCLAMATION_BOOST = 0.3
MAX_EXCLAMATIONS = 4
IMPATIENCE = -1.2  # raw valence added for "??"
CAPS_BOOST = 1.3  # an ALL-CAPS sentiment word ("DÅLIGT") counts this much more
NEGATION_SCALAR = -0.74  # VADER's factor: a negated word flips and weakens ("inte dålig" is mildly positive)
NEGATION_SCOPE = 3  # words after a negator that it flips
