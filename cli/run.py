"""``nlp run``: the main job."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nlp.cli._common import (
    ChannelCol,
    EngineOpt,
    IdCol,
    IntentRules,
    ProductCol,
    RatingCol,
    RatingScale,
    SparkMasterOpt,
    TextCol,
    TimeCol,
    column_map,
    err_console,
    friendly_errors,
)
from nlp.cli.aspects import DomainColOpt, DomainOpt, TaxonomyOpt
from nlp.engines import DEFAULT_SPARK_MASTER


@friendly_errors
def run_cmd(
    input: Annotated[str | None, typer.Argument(help="reviews table (default: the demo corpus in corpora/demo)")] = None,
    output_dir: Annotated[Path, typer.Option("-o", "--output", help="output directory")] = Path("out"),
    text_col: TextCol = "text",
    id_col: IdCol = "id",
    product_col: ProductCol = "product_id",
    time_col: TimeCol = "created_at",
    rating_col: RatingCol = "rating",
    channel_col: ChannelCol = "channel",
    rating_scale: RatingScale = "auto",
    model: Annotated[Path | None, typer.Option("--model", help="scorer model directory (default: the shipped one)")] = None,
    freq: Annotated[str, typer.Option(help="trend period: D, W, M or auto (from the span)")] = "auto",
    nr_topics: Annotated[str, typer.Option(help="number of topics, or auto")] = "auto",
    min_topic_size: Annotated[int | None, typer.Option(help="smallest topic (default: from the corpus size)")] = None,
    seed: int = 42,
    resume: Annotated[bool, typer.Option("--resume", help="continue a killed run: finished stages and chunks are kept")] = False,
    int8: Annotated[
        bool | None,
        typer.Option(
            "--int8/--fp32",
            help="int8 scoring and topic encoder (the default: within 0.5 points of fp32, much faster; model card and docs/topics.md) or fp32",
            show_default=False,
        ),
    ] = None,
    backend: Annotated[str, typer.Option(help="auto (ONNX Runtime when installed), onnx or torch, for scoring and the topic encoder; onnx gives the same outputs faster")] = "auto",
    mask_pii: Annotated[bool, typer.Option("--mask-pii/--no-mask-pii", help="mask personal data in every column written, before any stage sees it (docs/privacy.md)")] = True,
    title: Annotated[str | None, typer.Option(help="report title")] = None,
    topics_model: Annotated[Path | None, typer.Option(help="encoder for topic embeddings (default: base e5)")] = None,
    fast: Annotated[bool, typer.Option("--fast", help="the shipped 3-layer distilled model on int8 without the re-check: ~1.5x the default speed (accuracy: models/sentiment-e5s3)")] = False,
    engine: EngineOpt = "local",
    spark_master: SparkMasterOpt = DEFAULT_SPARK_MASTER,
    intent_rules: IntentRules = True,
    domain: DomainOpt = "auto",
    taxonomy: TaxonomyOpt = None,
    domain_col: DomainColOpt = None,
) -> None:
    """Score, topics, trends and the CX report for a reviews table (the demo corpus by default), into one directory."""
    from nlp.pipeline import run
    from nlp.scoring.scorer import resolve_fast

    model, int8, recheck = resolve_fast(fast, model, int8)
    if freq not in ("D", "W", "M", "auto"):
        raise ValueError(f"--freq must be D, W, M or auto, got {freq!r}")
    res = run(
        input,
        output_dir,
        column_map(text_col, id_col, product_col, time_col, rating_col, channel_col),
        model_dir=model,
        freq=freq,
        nr_topics=nr_topics,
        min_topic_size=min_topic_size,
        seed=seed,
        resume=resume,
        quantize=int8,
        recheck=recheck,
        backend=backend,
        mask_pii=mask_pii,
        title=title,
        topics_model=topics_model,
        engine=engine,
        spark_master=spark_master,
        rating_scale=None if rating_scale == "auto" else rating_scale,
        on_stage=_stage_line,
        intent_rules=intent_rules,
        domain=domain,
        taxonomy=taxonomy,
        domain_col=domain_col,
    )
    err_console.print(f"scored {res.scored_rows} rows ({res.rejected_rows} rejected) → {res.scored}")
    err_console.print(
        f"aspects → {res.aspects}; topics → {res.topics or 'skipped: ' + res.skipped.get('topics', '')}; "
        f"trends → {res.trends or 'skipped: ' + res.skipped.get('trends', '')}"
    )
    err_console.print(f"report → {res.report or 'skipped: ' + res.skipped.get('report', '')}")


def stage_summary(stage: str, record: dict) -> str:
    """One line per finished stage of ``nlp run`` (printed on a terminal and in pipes alike).

    Example:
        >>> stage_summary("score", {"seconds": 81.26, "input_rows": 20000, "scored_rows": 20000, "rejected_rows": 0})
        'score      81.3 s  20,000 rows in, 20,000 scored, 0 rejected'
    """
    if record.get("kept"):
        what = "kept from the earlier run"
    elif stage == "score":
        what = f"{record.get('input_rows', 0):,} rows in, {record.get('scored_rows', 0):,} scored, {record.get('rejected_rows', 0):,} rejected"
    elif stage == "aspects":
        doms = ", ".join(f"{d} {n}" for d, n in sorted((record.get("domains") or {}).items()))
        what = f"{record.get('mentions', 0):,} aspect rows from {record.get('reviews_with_aspects', 0):,} reviews" + (f" (domains: {doms})" if doms else "")
    elif stage == "topics":
        what = f"skipped: {record['skipped']}" if record.get("skipped") else f"{record.get('n_topics', 0)} topics"
    elif stage == "trends":
        what = f"skipped: {record['skipped']}" if record.get("skipped") else f"{record.get('rows', 0):,} product × period rows"
    else:
        what = ", ".join(Path(p).name for p in record.get("outputs", []))
    return f"{stage:<9}{record.get('seconds', 0.0):6.1f} s  {what}"


def _stage_line(stage: str, record: dict) -> None:
    err_console.print(stage_summary(stage, record), markup=False, highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("run")(run_cmd)
