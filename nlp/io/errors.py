"""The error every reader and writer raises for problems that are the user's to fix."""

from __future__ import annotations

__all__ = ["InputError", "echo"]

ECHO_CHARS = 200


class InputError(ValueError):
    """A problem with the user's input, with what was expected and how to fix it."""


def echo(value: object, limit: int = ECHO_CHARS) -> str:
    """``value`` as it may be quoted back in a message: its text, cut to ``limit`` characters with an ellipsis.

    A malformed header or line can be megabytes long; messages show its start.

    Example:
        >>> echo("x" * 500, limit=10)
        'xxxxxxxxx… (500 characters)'
    """
    text = value if isinstance(value, str) else repr(value)
    if len(text) <= limit:
        return text
    return f"{text[: limit - 1]}… ({len(text):,} characters)"
