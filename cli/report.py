"""``nlp report``: the CX report as one self-contained HTML file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from nlp.cli._common import ChannelCol, IdCol, ProductCol, RatingCol, TextCol, TimeCol, column_map, err_console, friendly_errors


@friendly_errors
def report_cmd(
    scored: Annotated[Path, typer.Argument(help="scored table from `nlp score` (Parquet/CSV/JSONL)")],
    output: Annotated[Path, typer.Option("-o", "--output", help="the HTML file to write (report.html); findings.json goes beside it")],
    aspects: Annotated[
        Path | None, typer.Option("--aspects", help="aspect mentions from `nlp aspects` (the matrix, praise and complaints, aspect findings)")
    ] = None,
    topics: Annotated[
        Path | None, typer.Option("--topics", help="output directory of `nlp topics` (doc_topics.parquet, topics.parquet): the topics section")
    ] = None,
    trends: Annotated[
        Path | None, typer.Option("--trends", help="trend feature table from `nlp trends` (its anomaly flags drive the alerts)")
    ] = None,
    freq: Annotated[
        Literal["auto", "W", "M"], typer.Option(help="period of the time charts: W weekly, M monthly, auto from the data")
    ] = "auto",
    model: Annotated[str | None, typer.Option("--model", help="a note on the scoring model, shown in the footer")] = None,
    title: Annotated[str, typer.Option(help="report title")] = "고객 리뷰 인사이트 리포트",
    max_topics: Annotated[int, typer.Option(min=1, help="topics with a detail card (largest first)")] = 8,
    max_products: Annotated[int, typer.Option(min=1, help="products shown in detail (matrix, cards, charts); all are in the searchable tables")] = 12,
    min_volume: Annotated[int, typer.Option(min=1, help="the anomaly rule's fewest reviews in a period for a flag (when no --trends)")] = 5,
    min_reviews: Annotated[int, typer.Option(min=1, help="fewest reviews on each side of a finding's comparison (docs/report.md)")] = 30,
    min_mentions: Annotated[int, typer.Option(min=1, help="fewest aspect mentions on each side of an aspect finding; thinner matrix cells are greyed")] = 20,
    domain: Annotated[
        str | None, typer.Option("--domain", help="review domain for display names (lodging, food → 재방문; app → 재이용; film → 재관람); default: each product's domain from --aspects")
    ] = None,
    text_col: TextCol = "text",
    id_col: IdCol = "id",
    product_col: ProductCol = "product_id",
    time_col: TimeCol = "created_at",
    rating_col: RatingCol = "rating",
    channel_col: ChannelCol = "channel",
) -> None:
    """The CX report: findings that hold, aspects per product, trends, alerts, topics — one offline HTML file and findings.json."""
    from nlp.report import FindingRules, write_report
    from nlp.schema import FINDINGS_FILE

    path = write_report(
        output,
        scored,
        topics,
        trends,
        aspects=aspects,
        columns=column_map(text_col, id_col, product_col, time_col, rating_col, channel_col),
        rules=FindingRules(min_reviews=min_reviews, min_mentions=min_mentions),
        domain=domain,
        freq=freq,
        model=model,
        title=title,
        max_topics=max_topics,
        max_products=max_products,
        min_volume=min_volume,
    )
    size_kb = path.stat().st_size / 1024
    err_console.print(f"report → {path} ({size_kb:,.0f} KB); findings → {path.parent / FINDINGS_FILE}")


def register(app: typer.Typer) -> None:
    """Add ``nlp report`` to the app."""
    app.command("report")(report_cmd)
