"""Benchmark: Flokk's offline sentiment against asent out of the box, on our labelled comments, plus speed.

Prints JSON lines: {"bench": "sentiment", "metric", "value", "unit", "language", "model", "split"}.
Accuracy and macro-F1 per language on the test split and on all comments, for Flokk
(`analyze(text, language)`) and for asent (spaCy `blank(lang)` + "sentencizer" + `asent_<lang>_v1`, with
`asent_no_v1` for nb; label from the document's compound polarity with VADER's usual thresholds: >= 0.05
positive, <= -0.05 negative). Then Flokk's analyses per second (detection included) and intent
classifications per second, on one core (process CPU time, best of 5 rounds), over comments of 60-200
characters built from the labelled set.

asent and spaCy are bench-only dependencies (`pip install -e '.[bench]'`); without them only Flokk is
measured, with a message on stderr.
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from flokk.inbox.intent import classify_intent  # noqa: E402
from flokk.inbox.sentiment import analyze  # noqa: E402

DATA = Path(__file__).resolve().parent.parent / "flokk" / "inbox" / "tests" / "data" / "sentiment"
LANGUAGES = ("sv", "da", "nb", "en")
LABELS = ("positive", "neutral", "negative")
ASENT_COMPONENT = {"sv": "sv", "da": "da", "nb": "no", "en": "en"}  # asent calls Norwegian Bokmål "no"
ASENT_THRESHOLD = 0.05
SPEED_SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
ROUNDS = 5


def emit(metric: str, value: float, unit: str, **extra: object) -> None:
    print(
        json.dumps({"bench": "sentiment", "metric": metric, "value": round(value, 4), "unit": unit, **extra})
    )


def load(language: str) -> list[dict[str, str]]:
    lines = (DATA / f"{language}.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def scores(gold: list[str], predicted: list[str]) -> tuple[float, float]:
    """Accuracy and macro-F1 over the three labels."""
    accuracy = sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold)
    f1s = []
    for label in LABELS:
        tp = sum(g == p == label for g, p in zip(gold, predicted, strict=True))
        fp = sum(p == label != g for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == label != p for g, p in zip(gold, predicted, strict=True))
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return accuracy, sum(f1s) / len(f1s)


def flokk_labeller(language: str) -> Callable[[str], str]:
    def label(text: str) -> str:
        return analyze(text, language).label

    return label


def asent_labeller(language: str) -> Callable[[str], str] | None:
    try:
        import asent  # noqa: F401  (registers the asent_<lang>_v1 components)
        import spacy
    except ImportError:
        return None
    nlp = spacy.blank(language)
    nlp.add_pipe("sentencizer")
    nlp.add_pipe(f"asent_{ASENT_COMPONENT[language]}_v1")

    def label(text: str) -> str:
        compound = nlp(text)._.polarity.compound
        if compound >= ASENT_THRESHOLD:
            return "positive"
        if compound <= -ASENT_THRESHOLD:
            return "negative"
        return "neutral"

    return label


def quality() -> None:
    missing = False
    for language in LANGUAGES:
        rows = load(language)
        asent_label = asent_labeller(language)
        missing = missing or asent_label is None
        for split in ("test", "all"):
            chosen = [row for row in rows if split == "all" or row["split"] == split]
            gold = [row["label"] for row in chosen]
            models: list[tuple[str, Callable[[str], str]]] = [("flokk", flokk_labeller(language))]
            if asent_label is not None:
                models.append(("asent", asent_label))
            for model, label in models:
                accuracy, macro_f1 = scores(gold, [label(row["text"]) for row in chosen])
                extra = {"language": language, "model": model, "split": split, "n": len(chosen)}
                emit("accuracy", accuracy, "fraction", **extra)
                emit("macro_f1", macro_f1, "fraction", **extra)
        detected = sum(analyze(row["text"]).language == language for row in rows) / len(rows)
        emit(
            "language_detection_accuracy", detected, "fraction", language=language, model="flokk", split="all"
        )
    if missing:
        print(
            "asent/spaCy are not installed, so only Flokk was measured: pip install -e '.[bench]'",
            file=sys.stderr,
        )


def rate(work: Callable[[], int]) -> tuple[float, float]:
    """Items per CPU-second of `work` (which returns how many items it did): best and median of ROUNDS runs.

    CPU time of this process, not wall time, and the best round, so other processes sharing the machine's
    cores disturb the figure as little as possible.
    """
    rates = []
    for _ in range(ROUNDS):
        done = 0
        began = time.process_time()
        while time.process_time() - began < SPEED_SECONDS / ROUNDS:
            done += work()
        rates.append(done / (time.process_time() - began))
    return max(rates), statistics.median(rates)


def speed() -> None:
    texts = [row["text"] for language in LANGUAGES for row in load(language)]
    comments = [f"{first} {second}" for first, second in zip(texts, texts[1:] + texts[:1], strict=True)]
    comments = [comment for comment in comments if 60 <= len(comment) <= 200]
    analyses = [analyze(comment) for comment in comments]
    mean_length = round(sum(map(len, comments)) / len(comments))

    def analyze_all() -> int:
        for comment in comments:
            analyze(comment)
        return len(comments)

    def classify_all() -> int:
        for comment, result in zip(comments, analyses, strict=True):
            classify_intent(comment, result.language, result.label)
        return len(comments)

    def ingest_all() -> int:
        for comment in comments:
            result = analyze(comment)
            classify_intent(comment, result.language, result.label)
        return len(comments)

    for metric, work, note in (
        ("analyses_per_second", analyze_all, "analyze(text): detection + sentiment"),
        ("intent_classifications_per_second", classify_all, "standalone: tokenizes each message itself"),
        (
            "analyze_and_intent_per_second",
            ingest_all,
            "the ingest path: analyze(text) then classify_intent(text, ...), sharing one tokenizing pass",
        ),
    ):
        best, median = rate(work)
        emit(metric, best, "1/s", model="flokk", median=round(median), mean_characters=mean_length, note=note)


def main() -> None:
    quality()
    # spaCy's objects from the comparison would otherwise make every garbage collection during the speed runs
    # walk them too; the ingest path never has them.
    gc.collect()
    gc.freeze()
    speed()


if __name__ == "__main__":
    # No database is involved: `make bench` runs every bench per database, this one only in the first pass.
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        main()
