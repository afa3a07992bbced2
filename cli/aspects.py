"""``nlp aspects`` and ``nlp evaluate aspects``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from nlp.cli._apps import evaluate_app
from nlp.cli._common import (
    ChannelCol,
    EngineOpt,
    IdCol,
    ProductCol,
    RatingCol,
    SparkMasterOpt,
    TextCol,
    TimeCol,
    column_map,
    err_console,
    friendly_errors,
)
from nlp.engines import DEFAULT_SPARK_MASTER, check_engine

DomainOpt = Annotated[
    str, typer.Option("--domain", help="auto (each product's domain from its reviews) or one of shopping, cosmetics, lodging, food, app, film, books, or a domain added with --taxonomy")
]
TaxonomyOpt = Annotated[Path | None, typer.Option("--taxonomy", help="TOML or YAML file that adds or replaces aspects or whole domains (docs/aspects.md)")]
DomainColOpt = Annotated[str | None, typer.Option("--domain-col", help="column naming each row's domain (overrides --domain where filled)")]


@friendly_errors
def aspects_cmd(
    input: Annotated[str, typer.Argument(help="CSV/TSV/JSONL/Parquet file (raw or the output of nlp score), or - for stdin")],
    output: Annotated[Path, typer.Option("-o", "--output", help="aspect table; format from the extension")],
    text_col: TextCol = "text",
    id_col: IdCol = "id",
    product_col: ProductCol = "product_id",
    time_col: TimeCol = "created_at",
    rating_col: RatingCol = "rating",
    channel_col: ChannelCol = "channel",
    domain: DomainOpt = "auto",
    taxonomy: TaxonomyOpt = None,
    domain_col: DomainColOpt = None,
    model: Annotated[Path | None, typer.Option("--model", help="scorer model directory for clause polarity (default: the shipped one)")] = None,
    int8: Annotated[bool, typer.Option("--int8/--fp32", help="int8 scorer for the clauses (the default, as nlp run and nlp score --aspects) or fp32")] = True,
    backend: Annotated[str, typer.Option(help="auto (ONNX Runtime when installed), onnx or torch")] = "auto",
    rules_only: Annotated[bool, typer.Option("--rules-only", help="no scorer: mentions the rules cannot judge are left out or neutral")] = False,
    mask_pii: Annotated[bool, typer.Option("--mask-pii/--no-mask-pii", help="mask personal data in the evidence")] = True,
    summary: Annotated[Path | None, typer.Option("--summary", help="also write the per product × aspect summary here (and per period beside it)")] = None,
    freq: Annotated[str, typer.Option(help="period of the summary's per-period table: D, W or M")] = "W",
    engine: EngineOpt = "local",
    spark_master: SparkMasterOpt = DEFAULT_SPARK_MASTER,
) -> None:
    """Aspect-level sentiment: one row per review × aspect with polarity, score and the clause behind it."""
    from nlp.aspects.table import aspects_table

    if freq not in ("D", "W", "M"):
        raise ValueError(f"--freq must be D, W or M, got {freq!r}")
    if check_engine(engine, spark_master) == "spark":
        from nlp.engines.spark_aspects import aspects_table as spark_aspects_table

        if summary:
            raise ValueError("--summary is for --engine local; on Spark, nlp run --engine spark joins the aspect features onto the trend table")
        stats = spark_aspects_table(
            input, str(output), column_map(text_col, id_col, product_col, time_col, rating_col, channel_col), master=spark_master,
            domain=domain, taxonomy=taxonomy, domain_col=domain_col, model_dir=model, quantize=int8, backend=backend, rules_only=rules_only, mask_pii=mask_pii,
        )
        err_console.print(stats.summary())
        return
    stats = aspects_table(
        input,
        output,
        column_map(text_col, id_col, product_col, time_col, rating_col, channel_col),
        domain=domain,
        taxonomy=taxonomy,
        domain_col=domain_col,
        model_dir=model,
        quantize=int8,
        backend=backend,
        rules_only=rules_only,
        mask_pii=mask_pii,
        summary=summary,
        freq=freq,
    )
    err_console.print(stats.summary())


def _print_aspects(res: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    for name, r in res["files"].items():
        t = Table(title=f"aspects — gold {name} (n={r['n_reviews']}, mixed {r['mixed']['n_reviews']})")
        for c in ("system", "set", "det. P", "det. R", "det. F1", "pol. macro-F1", "pol. acc.", "joint F1"):
            t.add_column(c)
        for set_name, block in (("all", r), ("mixed", r["mixed"])):
            for sys_name, s in block["systems"].items():
                d = s["detection"]["micro"]
                t.add_row(sys_name, set_name, f"{d['precision']:.3f}", f"{d['recall']:.3f}", f"{d['f1']:.3f}", f"{s['polarity']['macro_f1']:.3f}",
                          f"{s['polarity']['accuracy']:.3f}", f"{s['joint']['f1']:.3f}")
        console.print(t)
        per = r["systems"]["aspects"]["detection"]["per_aspect"]
        console.print("detection F1 per aspect: " + ", ".join(f"{k} {v['f1']:.2f} ({v['support']})" for k, v in sorted(per.items())))
    if "auto_domain" in res:
        a = res["auto_domain"]
        console.print(f"--domain auto: {a['products_right']}/{a['products']} products ({a['accuracy']:.3f}), {a['row_accuracy']:.3f} of rows given their labelled domain")
    if "agreement" in res:
        a = res["agreement"]
        console.print(f"annotator agreement {a['files']}: detection F1 {a['detection']['f1']:.3f}, polarity macro-F1 {a['polarity']['macro_f1']:.3f}, joint F1 {a['joint']['f1']:.3f}")


@friendly_errors
def evaluate_aspects_cmd(
    gold: Annotated[list[Path], typer.Option("--gold", help="gold CSV id,aspects[,intent] (repeatable: one per annotator)")],
    texts: Annotated[Path, typer.Option("--texts", help="the reviews: id, text and the domain column (e.g. from corpora/real_aspects/draw.py --materialise)")],
    domain_col: Annotated[str, typer.Option("--domain-col", help="column naming each review's domain; '' to use --domain")] = "taxonomy",
    domain: DomainOpt = "auto",
    taxonomy: TaxonomyOpt = None,
    model: Annotated[Path | None, typer.Option("--model", help="scorer model directory (default: the shipped one)")] = None,
    int8: Annotated[bool, typer.Option("--int8/--fp32", help="int8 scorer (the default, what nlp aspects runs) or fp32")] = True,
    backend: Annotated[str, typer.Option(help="auto (ONNX Runtime when installed), onnx or torch")] = "auto",
    chunk: Annotated[str | None, typer.Option("--chunk", help="only the texts whose chunk column has this value (real set: A = development, B = test)")] = None,
    product_col: Annotated[str, typer.Option("--product-col", help="product column of the texts: also score the --domain auto rule per product")] = "product",
    json_out: Annotated[Path | None, typer.Option("--json", help="write the full results as JSON")] = None,
) -> None:
    """Mention detection P/R/F1, polarity macro-F1 and joint F1 against gold labels, beside the seed-lexicon baseline; mixed reviews apart."""
    from nlp.aspects.evaluate import evaluate_aspects

    res = evaluate_aspects(
        gold, texts, domain_col=domain_col, domain=domain, taxonomy=taxonomy, model_dir=model, quantize=int8, backend=backend, chunk=chunk, product_col=product_col
    )
    _print_aspects(res)
    if json_out:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(res, ensure_ascii=False, indent=2))


def _print_stars(res: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    blocks = [("all", res["pooled"])] + sorted((res.get("by") or {}).items())
    t = Table(title=f"aspect scores against stars (≤{res['low']:g}★ vs ≥{res['high']:g}★; {res['n_reviews']} reviews, {res['with_aspects']} with an aspect)")
    for c in ("set", "aspect", "column", "low", "high", "coverage", "AUC (mentioned)", "AUC (all)", "unrated"):
        t.add_column(c)

    def f(x):
        return "—" if x is None else f"{x:.3f}"

    for name, block in blocks:
        for key, r in block.items():
            t.add_row(name, key, r["column"], str(r["low"]), str(r["high"]), f(r["coverage"]), f(r["auc_mentioned"]), f(r["auc_all"]), str(r["unrated"]))
    console.print(t)


@friendly_errors
def evaluate_aspect_stars_cmd(
    data: Annotated[str, typer.Option("--data", help="a table with the reviews and the customers' aspect stars (CSV/TSV/JSONL/Parquet)")],
    stars: Annotated[list[str], typer.Option("--stars", help="KEY=COLUMN pairs, e.g. taste=맛,quantity=양,delivery=배달; any=rating compares a review's mean aspect score with the overall stars (repeatable)")],
    text_col: TextCol = "text",
    product_col: ProductCol = "product_id",
    domain: DomainOpt = "auto",
    taxonomy: TaxonomyOpt = None,
    domain_col: DomainColOpt = None,
    by: Annotated[str | None, typer.Option("--by", help="also report per value of this column (e.g. domain or platform)")] = None,
    low: Annotated[float, typer.Option("--low", help="stars at or below this are the low side")] = 2.0,
    high: Annotated[float, typer.Option("--high", help="stars at or above this are the high side")] = 5.0,
    model: Annotated[Path | None, typer.Option("--model", help="scorer model directory (default: the shipped one)")] = None,
    int8: Annotated[bool, typer.Option("--int8/--fp32", help="int8 scorer (the default, what nlp aspects runs) or fp32")] = True,
    backend: Annotated[str, typer.Option(help="auto (ONNX Runtime when installed), onnx or torch")] = "auto",
    rules_only: Annotated[bool, typer.Option("--rules-only", help="no scorer: only what the rules decide")] = False,
    json_out: Annotated[Path | None, typer.Option("--json", help="write the full results as JSON")] = None,
) -> None:
    """How well aspect scores separate the customers' own low aspect stars (1–2★) from high ones (5★): ROC AUC per aspect."""
    from nlp.aspects.stars import evaluate_aspect_stars, parse_star_columns

    res = evaluate_aspect_stars(
        data, parse_star_columns(stars), domain=domain, taxonomy=taxonomy, model_dir=model, quantize=int8, backend=backend, text_col=text_col,
        product_col=product_col, domain_col=domain_col, by=by, low=low, high=high, rules_only=rules_only,
    )
    _print_stars(res)
    if json_out:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(res, ensure_ascii=False, indent=2))


def register(app: typer.Typer) -> None:
    app.command("aspects")(aspects_cmd)
    evaluate_app.command("aspects")(evaluate_aspects_cmd)
    evaluate_app.command("aspect-stars")(evaluate_aspect_stars_cmd)
