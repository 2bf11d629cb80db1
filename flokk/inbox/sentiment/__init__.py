"""Offline sentiment and language detection for comments in Swedish, Danish, Norwegian Bokmål and English.

`analyze(text, language=None)` -> Sentiment(label, score, language); `detect_language(text)` -> "sv" | "da" |
"nb" | "en" | "". Pure Python, no downloads, no Django settings needed.
"""

from flokk.inbox.sentiment.analyzer import Sentiment, analyze, analyze_many, detect_language

__all__ = ["Sentiment", "analyze", "analyze_many", "detect_language"]
