"""Briefs and production tasks (being written)."""
