"""The text both sides of the flake8 plugin compare: the builder process (which read the file from
disk) and flake8's worker (which holds flake8's lines). Its own module so that neither side imports
the other: the worker must stay free of the engine the builder loads."""

from __future__ import annotations

from flasklint.digests import blake2b


def text_digest(text: str) -> str:
    """A digest of the text, newlines and BOM normalised (flake8 reads with universal newlines)."""
    return blake2b(normalise(text).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").removeprefix("\ufeff")
