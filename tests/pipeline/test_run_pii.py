"""`nlp run` writes no personal data anywhere: not in the scored table, the topics, the trends, the
report or the saved topic model, whichever column it came in (text, id, product, pass-through)."""

from __future__ import annotations

import pandas as pd
from typer.testing import CliRunner

from nlp.cli.main import app
from nlp.pipeline import DEMO_CORPUS

runner = CliRunner()

PRODUCT = "tel-010-2222-3333"
NEEDLES = ["2222-3333", "example.com", "５５５５", "9001011234567", "6666-\u200b9999", "3131 - 4141"]
FOLDED = ["5555-6666", "6666-9999", "3131-4141"]  # the same numbers, as normalisation would write them


def _all_text(root) -> str:
    """Every file under ``root`` as text: tables read back, anything else that decodes as UTF-8."""
    chunks = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if path.suffix == ".parquet":
            chunks.append(pd.read_parquet(path).astype(str).to_csv())
            continue
        try:
            chunks.append(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            chunks.append(path.read_bytes().decode("utf-8", errors="ignore"))
    return "\n".join(chunks)


def test_run_outputs_carry_no_pii(tmp_path, tiny_model, monkeypatch):
    monkeypatch.setenv("NLP_PII_KEY", "test")
    demo = pd.read_csv(DEMO_CORPUS, dtype=str)
    df = demo[demo["product_id"].isin(demo["product_id"].unique()[:2])].head(200).reset_index(drop=True)
    first = df["product_id"].iloc[0]
    df.loc[df["product_id"] == first, "product_id"] = PRODUCT
    df.loc[:4, "id"] = [f"me{i}@example.com" for i in range(5)]
    df["contact"] = ""
    df.loc[10:14, "contact"] = "연락처 ０１０-５５５５-６６６６"
    df.loc[20, "text"] += " 010-6666-\u200b9999 로 연락"
    df.loc[21, "text"] += " 주민 9001011234567"
    df.loc[22, "text"] = "010 - 3131 - 4141 " + df.loc[22, "text"]
    src = tmp_path / "in.csv"
    df.to_csv(src, index=False)
    assert all(n in src.read_text(encoding="utf-8") for n in NEEDLES)

    out = tmp_path / "out"
    res = runner.invoke(
        app,
        [
            "run",
            str(src),
            "-o",
            str(out),
            "--model",
            str(tiny_model),
            "--topics-model",
            str(tiny_model),
            "--min-topic-size",
            "10",
        ],
    )
    assert res.exit_code == 0, res.output
    written = _all_text(out)
    for needle in NEEDLES + FOLDED:
        assert needle not in written, f"{needle!r} reached the outputs"

    scored = pd.read_parquet(out / "scored.parquet")
    assert len(scored) == 200 and scored["id"].is_unique
    masked = scored["flags"].str.contains("pii_masked").to_numpy()
    planted = (df["product_id"].eq(PRODUCT) | df.index.isin([0, 1, 2, 3, 4, 10, 11, 12, 13, 14, 20, 21, 22])).to_numpy()
    assert masked[planted].all()
    products = set(scored["product_id"])
    assert len(products) == 2 and any(p.startswith("tel-[phone:") for p in products)
    # the masked product is one product everywhere downstream, under its pseudonym
    trends = pd.read_parquet(out / "trends.parquet")
    assert set(trends["unique_id"]) == products
    assert "[전화번호]" in scored.loc[20, "text"] and "[주민번호]" in scored.loc[21, "text"]
