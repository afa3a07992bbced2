"""The rejects file ``OUT.rejects.jsonl``: one JSON object per unusable input row (id, row, reason, original)."""

from __future__ import annotations

import os
from pathlib import Path

from nlp.io.atomic import temp_path
from nlp.io.tables import Reject

__all__ = ["RejectsWriter", "rejects_path"]


def rejects_path(out: str | os.PathLike) -> Path:
    """``out.parquet`` → ``out.parquet.rejects.jsonl`` (next to the output)."""
    p = Path(out)
    return p.with_name(p.name + ".rejects.jsonl")


class RejectsWriter:
    """Writes rejects atomically next to the output (a temporary name unique to the run until closed)."""

    def __init__(self, out: str | os.PathLike) -> None:
        self.path = rejects_path(out)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = temp_path(self.path)
        self._fh = open(self.tmp, "w", encoding="utf-8")
        self.count = 0

    def write(self, rejects: list[Reject]) -> None:
        for r in rejects:
            self._fh.write(r.to_json() + "\n")
        self.count += len(rejects)
        self._fh.flush()

    def close(self) -> Path:
        try:
            self._fh.close()
            os.replace(self.tmp, self.path)
        except BaseException:
            self.abort()
            raise
        return self.path

    def abort(self) -> None:
        """Close and remove the temporary file."""
        try:
            self._fh.close()
        except OSError:
            pass
        self.tmp.unlink(missing_ok=True)
