"""Flokk: the whole social-media team in one place."""
