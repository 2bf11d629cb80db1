"""Language detection for short comments in Swedish, Danish, Norwegian Bokmål and English.

Evidence is summed over the words of the comment, so a mixed comment goes to its majority language:
function words that belong to fewer languages weigh more ("ikke" is split between da and nb, "meg" is nb
only), and letters add to that when the words leave it close (ä/ö Swedish; æ/ø/"øj" Danish or Norwegian;
"kj"/"gj"/"øy"/"-sjon" Norwegian). Returns "" when there is no evidence (only emoji, links, numbers, names).
"""

from __future__ import annotations

import re
from itertools import repeat

from flokk.inbox.sentiment.rules import LANGUAGES

# Common words of each language (lower case). A word listed under several languages is split between them.
FUNCTION_WORDS: dict[str, str] = {
    "sv": """
        och inte jag är att som det har på för med vad varför hur när ni mig dig sig min mitt mina vi ska
        skulle kan kunde också även bara nu sen då hej tack fortfarande igen efter av till från ju väl nog
        kolla någon något några många mycket vara varit blev bli finns fick får gör göra vill här där detta
        dessa eller men om utan ingen inget inga aldrig ens alltid redan varje hos ett en den de dem deras
        hela sätt själv tycker tror veckor dagar pengar gånger mer mest eftersom därför vår vårt våra era
        köpa köpte beställning butiken butik jätte jättebra bra dålig dåligt riktigt verkligen ganska lite
        kommer kom gick går tar tog sa säga sagt hade heller alls asså typ liksom tyvärr klart så helt
        efter ännu lika någon något nej ta ha haft använda använder köpa köp köpt öppen öppet öppettider vecka
        fler hjälp hjälpa fråga frågor svara erbjudande tillbaka bästa värsta härlig kul najs gött heter
        riktigt verkligen äntligen löste förstår förstå order leverans leveransen paket paketet sedan kund
        kunder personal personalen mat väg söka här hem hemma hemsida hemsidan uppdatering ringde ringa
        skrev skriva skickat skicka kvitto länken företag morgon kväll tiden vilken vilket vem otroligt funkar
        """,
    "da": """
        og ikke jeg er at som det har på for med hvad hvorfor hvordan hvornår jer jeres mig dig sig min mit
        mine vi skal skulle kan kunne også bare nu så hej tak stadig igen efter af til fra jo vel nok tjek
        tjekke nogen noget nogle mange meget være været blev bliver blive findes fik får gør gøre vil her der
        denne dette disse eller men om uden ingen intet aldrig engang altid allerede hver hos et en den de dem
        deres hele selv synes tror uger dage penge gange mere mest fordi derfor vores købe købte bestilling
        butikken rigtig virkelig ret lidt kommer kom gik går tager tog sagde sige sagt ikke havde heller slet
        overhovedet altså desværre selvfølgelig lige kun godt sgu nej hvem hvor ud op end helt
        ligefrem hedder tage have haft bruge bruger købe køb købt åben åbent åbningstider uge flere hjælp
        hjælpe spørgsmål svare tilbud tilbage bedste værste dejlig dejligt sjov sjovt fedt lækker rigtigt
        endelig løste forstår forstå tjek ordre levering leveringen pakke pakken siden kunde kunder
        medarbejdere mad vej søge her hjem hjemme hjemmeside hjemmesiden opdatering opdateringen ringede
        ringe skrev skrive sendt sende kvittering linket firma virksomhed morgen aften tiden hvilken hvilket
        hvis før stadigvæk fandt mere nogle virker fungerer flot utrolig utroligt
        """,
    "nb": """
        og ikke ikkje jeg er at som det har på for med hva hvorfor hvordan når dere deres meg deg seg min mitt
        mine vi skal skulle kan kunne også bare nå så hei takk fortsatt igjen etter av til fra jo vel nok
        sjekk sjekke noen noe mange mye veldig være vært ble blir bli finnes fikk får gjør gjøre vil her der
        denne dette disse eller men om uten ingen intet aldri engang alltid allerede hver hos et en den de dem
        hele selv synes tror uker dager penger ganger mer mest fordi derfor vår vårt våre kjøpe kjøpte
        bestilling butikken skikkelig virkelig ganske litt kommer kom gikk går tar tok sa si sagt ikke hadde
        heller helt altså dessverre selvfølgelig kun godt nei hvem hvor ut opp enn kjempe sånn bra
        like ta ha hatt bruke bruker kjøp kjøpt åpen åpent åpningstider uke flere hjelpe spørsmål svare
        tilbud tilbake beste verste deilig gøy digg herlig heter riktig endelig løste forstår forstå ordre
        levering leveringen pakke pakken siden kunde kunder ansatte mat vei søke her hjem hjemme nettside
        nettsiden oppdatering oppdateringen ringte ringe skrev skrive sendt sende kvittering lenken firma
        bedrift morgen kveld tiden hvilken hvilket hvis før fant nettet virker fungerer flott utrolig
        """,
    "en": """
        the and is are you your to of it this that my for with was what why how when where do does did can
        could not no never i'm it's don't can't won't didn't isn't doesn't we they me our on at in from get
        got an a be been have has had will would just so very really thanks thank please there their them
        our us he she his her which who all any some more most than then too also only but if or because
        about after again still yet here out up by as way much many every anyone someone nothing
        something anything everything order delivery shipping customer love great good bad
        you're i've that's there's what's let love nice awesome amazing great worst best help ordered
        arrived waiting refund app update staff price free size stock available online website email hours
        open today tomorrow week weeks days money time support chat account login guys ever even
        """,
}

# Words both Danish and Norwegian use, but not equally: Danish says "der er" / "det her", Norwegian "det er" /
# "dette". These weights replace the even split.
SKEWED_WORDS: dict[str, tuple[float, float, float, float]] = {
    "der": (0.0, 0.7, 0.3, 0.0),
    "her": (0.0, 0.6, 0.4, 0.0),
    "dette": (0.0, 0.3, 0.7, 0.0),
    "denne": (0.0, 0.4, 0.6, 0.0),
    "ved": (0.0, 0.6, 0.4, 0.0),
    "nu": (0.4, 0.6, 0.0, 0.0),
}

# Letter sequences, counted in the whole lower-cased comment: (substring, {language: weight per occurrence}).
LETTER_CUES: tuple[tuple[str, dict[str, float]], ...] = (
    ("ä", {"sv": 1.0}),
    ("ö", {"sv": 1.0}),
    ("æ", {"da": 0.7, "nb": 0.3}),
    ("ø", {"da": 0.5, "nb": 0.5}),
    ("å", {"sv": 0.34, "da": 0.33, "nb": 0.33}),
    ("kj", {"nb": 0.6}),
    ("gj", {"nb": 0.6}),
    ("sjon", {"nb": 0.8}),
    ("ej", {"sv": 0.4, "da": 0.4}),
    ("ei", {"nb": 0.5, "en": 0.2}),
    ("øj", {"da": 0.8}),
    ("øy", {"nb": 0.8}),
    ("tj", {"da": 0.4, "sv": 0.3}),
    ("ede ", {"da": 0.4}),
    ("a ", {"nb": 0.25, "sv": 0.15}),  # Norwegian definite "-a" (jakka, veska); Danish nouns never end so
)


def build_word_weights() -> dict[str, tuple[float, float, float, float]]:
    """Word -> weight per language, in LANGUAGES order; words shared by every language carry no evidence."""
    homes: dict[str, set[int]] = {}
    for index, language in enumerate(LANGUAGES):
        for word in FUNCTION_WORDS[language].split():
            homes.setdefault(word, set()).add(index)
    weights: dict[str, tuple[float, float, float, float]] = {}
    for word, indexes in homes.items():
        if len(indexes) == len(LANGUAGES):
            continue
        share = 1.0 / len(indexes)
        weights[word] = (
            share if 0 in indexes else 0.0,
            share if 1 in indexes else 0.0,
            share if 2 in indexes else 0.0,
            share if 3 in indexes else 0.0,
        )
    weights.update(SKEWED_WORDS)
    return weights


# Speed: the ingest path detects tens of thousands of comments a second, so evidence is summed in C, not in
# a Python loop. Each weight vector is packed into one integer, a 32-bit field per language holding the
# weight in hundredths; `sum(map(dict.get, tokens, zeros))` then adds all four languages at once. A field
# overflows only after ~40 million hundredths, far beyond any comment (100 KB of text is ~50,000 words).
FIELD_BITS = 32
FIELD_MASK = (1 << FIELD_BITS) - 1


def pack(weights: tuple[float, ...]) -> int:
    return sum(round(weight * 100) << (FIELD_BITS * index) for index, weight in enumerate(weights))


def unpack(packed: int) -> tuple[int, int, int, int]:
    return (
        packed & FIELD_MASK,
        (packed >> FIELD_BITS) & FIELD_MASK,
        (packed >> (2 * FIELD_BITS)) & FIELD_MASK,
        (packed >> (3 * FIELD_BITS)) & FIELD_MASK,
    )


PACKED_WORD_WEIGHTS = {word: pack(weights) for word, weights in build_word_weights().items()}
PACKED_LETTER_CUES = {
    cue: pack(tuple(weights.get(language, 0.0) for language in LANGUAGES)) for cue, weights in LETTER_CUES
}
LETTER_CUE_RE = re.compile("|".join(sorted(map(re.escape, PACKED_LETTER_CUES), key=len, reverse=True)))
PACKED_CAPITAL_I = pack((0.0, 0.6, 0.0, 0.6))  # " I " mid-sentence: Danish "you" (plural) or English "I"
CONFIDENT_MARGIN = 200  # hundredths: two exclusive function words ahead needs no letter cues


def language_from_tokens(tokens: list[str], lowered: str, text: str) -> str:
    """The language with the most evidence in lower-cased tokens; ties go to da, nb, sv, en in that order."""
    return language_from_evidence(sum(map(PACKED_WORD_WEIGHTS.get, tokens, repeat(0))), lowered, text)


def language_from_evidence(evidence: int, lowered: str, text: str) -> str:
    """Decide from the words' packed evidence, adding letter cues only when the top two languages are close
    (mostly da against nb)."""
    if " I " in text:
        evidence += PACKED_CAPITAL_I * text.count(" I ")
    sv, da, nb, en = unpack(evidence)
    best = max(sv, da, nb, en)
    if (sv > best - CONFIDENT_MARGIN) + (da > best - CONFIDENT_MARGIN) + (nb > best - CONFIDENT_MARGIN) + (
        en > best - CONFIDENT_MARGIN
    ) > 1:
        evidence += sum(map(PACKED_LETTER_CUES.__getitem__, LETTER_CUE_RE.findall(lowered)))
        if not evidence:
            return ""
        sv, da, nb, en = unpack(evidence)
        best = max(sv, da, nb, en)
    if best == da:
        return "da"
    if best == nb:
        return "nb"
    if best == sv:
        return "sv"
    return "en"
