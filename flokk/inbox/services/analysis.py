"""Language, sentiment and intent of a message, with the organization's own intent rules."""

from __future__ import annotations

from dataclasses import dataclass

from flokk.inbox.intent import DEFAULT_INTENT_RULES, IntentRule, classify_intent
from flokk.inbox.models import IntentRuleRow
from flokk.inbox.sentiment import analyze
from flokk.teams.models import Organization


@dataclass(frozen=True)
class Analysis:
    language: str
    sentiment: str
    score: float
    intent: str


def keyword_lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.replace(",", "\n").splitlines() if line.strip())


def intent_rules_for(organization: Organization) -> tuple[IntentRule, ...]:
    """The organization's edited rules, or the defaults until it edits them."""
    rows = IntentRuleRow.objects.filter(organization=organization)
    rules = tuple(IntentRule(row.intent, keyword_lines(row.keywords), row.language) for row in rows)
    return rules or DEFAULT_INTENT_RULES


def analyze_message(text: str, rules: tuple[IntentRule, ...]) -> Analysis:
    sentiment = analyze(text)
    intent = classify_intent(text, sentiment.language, sentiment.label, rules)
    return Analysis(sentiment.language, sentiment.label, round(sentiment.score, 4), intent)
