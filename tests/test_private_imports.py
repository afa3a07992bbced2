"""No package of nlp imports another package's private names (a leading underscore): what crosses a
package boundary is public, documented API (the layers themselves are import-linter contracts)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "nlp"


def test_no_private_name_crosses_a_package():
    crossing = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        own = rel.parts[0] if len(rel.parts) > 1 else rel.stem
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("nlp."):
                target = node.module.split(".")[1]
                for alias in node.names:
                    if alias.name.startswith("_") and target != own:
                        crossing.append(f"{rel}:{node.lineno} imports {node.module}.{alias.name}")
    assert crossing == []
