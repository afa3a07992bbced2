"""What an interrupted run kept, and how to continue it.

A run stopped with Ctrl-C (``KeyboardInterrupt``) re-raises it as :class:`RunInterrupted`,
a ``KeyboardInterrupt`` that carries one line for the user: what was kept on disk and the
command that continues from it. The CLI prints that line and exits with 130.
"""

from __future__ import annotations

__all__ = ["RunInterrupted"]


class RunInterrupted(KeyboardInterrupt):
    """A ``KeyboardInterrupt`` with what the run kept (``kept``) and how to go on (``hint``)."""

    def __init__(self, kept: str, hint: str = "") -> None:
        super().__init__(kept)
        self.kept = kept
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.kept}; {self.hint}" if self.hint else self.kept
