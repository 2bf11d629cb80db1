"""Errors shared by every app's services."""

from __future__ import annotations


class Conflict(Exception):
    """The object is not in a state that allows this (an invalid transition): the API answers 409.

    `message` is for people and is already translated; `code` is stable for programs.
    """

    def __init__(self, message: str, code: str = "invalid_transition") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
