"""The library's own exceptions; the CLI maps them to exit codes and one-line messages."""

from __future__ import annotations


class CorpusError(Exception):
    """Base of every error this library raises on purpose."""

    exit_code = 1


class InputError(CorpusError):
    """One input cannot be ingested; the rest of the batch goes on (exit 1)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class CorpusUnusable(CorpusError):
    """The corpus file cannot be used: locked, read-only, full, corrupt or foreign (exit 3)."""

    exit_code = 3


class NotFound(CorpusError):
    """A document or record asked for by the user does not exist."""


class ProfileError(CorpusError):
    """A profile data file is malformed; the message names the file and the entry."""
