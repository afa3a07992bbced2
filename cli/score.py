"""``nlp score``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nlp.cli._common import (
    ChannelCol,
    EngineOpt,
    IdCol,
    IntentRules,
    Precision,
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
from nlp.engines import DEFAULT_SPARK_MASTER, check_engine

ModelOpt = Annotated[Path | None, typer.Option("--model", help="scorer model directory (default: the shipped models/sentiment-e5s6)")]


@friendly_errors
def score_cmd(
    input: Annotated[str, typer.Argument(help="CSV/TSV/JSONL/Parquet file, or - for stdin")],
    output: Annotated[Path, typer.Option("-o", "--output", help="output table; format from the extension")],
    text_col: TextCol = "text",
    id_col: IdCol = "id",
    product_col: ProductCol = "product_id",
    time_col: TimeCol = "created_at",
    rating_col: RatingCol = "rating",
    channel_col: ChannelCol = "channel",
    rating_scale: RatingScale = "auto",
    model: ModelOpt = None,
    resume: Annotated[bool, typer.Option("--resume", help="continue a killed run from its finished chunks")] = False,
    mask_pii: Annotated[bool, typer.Option("--mask-pii/--no-mask-pii", help="mask phones, resident numbers, cards, e-mails and URLs in the text (tags), id, product and other text columns (keyed tokens); such rows are flagged pii_masked (docs/privacy.md)")] = True,
    batch_size: Annotated[int, typer.Option(min=1, help="texts per forward pass (token-sorted)")] = 8,
    chunk_size: Annotated[int, typer.Option(min=1, help="rows per chunk (resume granularity)")] = 5_000,
    threads: Annotated[int | None, typer.Option(min=1, help="CPU threads (default: all)")] = None,
    quantize: Precision = None,
    recheck: Annotated[
        float | None,
        typer.Option(min=0.0, max=0.99, help="int8: re-score in fp32 the texts whose top-two intent probabilities are closer than this (default 0.05, off with --fast; 0 turns it off)"),
    ] = None,
    embeddings: Annotated[Path | None, typer.Option(help="also write pooled embeddings (.npy, output row order) for `nlp topics`")] = None,
    backend: Annotated[str, typer.Option(help="auto (ONNX Runtime when installed), onnx or torch; onnx gives the same scores faster")] = "auto",
    fast: Annotated[bool, typer.Option("--fast", help="the shipped 3-layer distilled model on int8 without the re-check: ~1.5x the default speed (accuracy: models/sentiment-e5s3)")] = False,
    engine: EngineOpt = "local",
    spark_master: SparkMasterOpt = DEFAULT_SPARK_MASTER,
    aspects: Annotated[bool, typer.Option("--aspects", help="also write aspect-level sentiment beside the output (OUT.aspects.<ext>, as `nlp aspects`)")] = False,
    domain: Annotated[str, typer.Option("--domain", help="with --aspects: auto or an aspect domain (shopping, cosmetics, lodging, food, app, film, books)")] = "auto",
    taxonomy: Annotated[Path | None, typer.Option("--taxonomy", help="with --aspects: a TOML/YAML file adding or replacing aspects")] = None,
    intent_rules: IntentRules = True,
) -> None:
    """Score sentiment, purchase intent and quality flags: input + score columns, plus OUT.rejects.jsonl."""
    from nlp.scoring.scorer import resolve_fast
    from nlp.scoring.table import score_table

    model, quantize, recheck = resolve_fast(fast, model, quantize, recheck)
    if check_engine(engine, spark_master) == "spark":
        from nlp.engines.spark import score_table as spark_score_table

        if resume or embeddings:
            raise ValueError("--resume and --embeddings are for --engine local (Spark re-runs failed tasks itself)")
        stats = spark_score_table(
            input, str(output), column_map(text_col, id_col, product_col, time_col, rating_col, channel_col), master=spark_master, model_dir=model,
            mask_pii=mask_pii, chunk_size=chunk_size, batch_size=batch_size, threads=threads, quantize=quantize, recheck=recheck, backend=backend,
            rating_scale=None if rating_scale == "auto" else rating_scale, intent_rules=intent_rules,
        )
        err_console.print(f"{stats.input_rows} rows in: {stats.output_rows} scored → {stats.output}/; {stats.rejected_rows} rejected → {stats.rejects}/")
        return
    scorer = None
    if aspects:  # one scorer for both, so the model loads once; a bad domain or taxonomy file fails before scoring
        from nlp.aspects.table import check_aspect_options
        from nlp.scoring.scorer import Scorer

        check_aspect_options(domain, taxonomy)

        scorer = Scorer.load(model, batch_size=batch_size, threads=threads, quantize=quantize, backend=backend, recheck_margin=recheck, intent_rules=intent_rules)
    stats = score_table(
        input,
        output,
        column_map(text_col, id_col, product_col, time_col, rating_col, channel_col),
        model_dir=model,
        resume=resume,
        mask_pii=mask_pii,
        chunk_size=chunk_size,
        batch_size=batch_size,
        threads=threads,
        quantize=quantize,
        recheck=recheck,
        embeddings=embeddings,
        backend=backend,
        scorer=scorer,
        rating_scale=None if rating_scale == "auto" else rating_scale,
        intent_rules=intent_rules,
    )
    err_console.print(f"{stats.input_rows} rows in: {stats.output_rows} scored → {stats.output}; {stats.rejected_rows} rejected → {stats.rejects}")
    if aspects:
        from nlp.aspects.table import aspects_path, aspects_table

        cmap = column_map(text_col, id_col, product_col, time_col, rating_col, channel_col)
        astats = aspects_table(output, aspects_path(output), cmap, domain=domain, taxonomy=taxonomy, scorer=scorer, mask_pii=mask_pii)
        err_console.print(astats.summary())


def register(app: typer.Typer) -> None:
    app.command("score")(score_cmd)
