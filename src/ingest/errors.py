"""Errors raised by extractors: the message names the file and what is wrong with it."""

from __future__ import annotations


class IngestError(Exception):
    """A file that cannot be read as a document; recorded as a `failed` row, never fatal."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason
