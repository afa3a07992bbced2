"""``nlp trends`` and ``nlp evaluate trends``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

import typer

from nlp.cli._apps import evaluate_app
from nlp.cli._common import IdCol, ProductCol, RatingCol, TimeCol, column_map, err_console, friendly_errors
from nlp.periods import DEFAULT_TZ

FreqOpt = Annotated[
    Literal["D", "W", "M"], typer.Option("--freq", help="period: D (day), W (ISO week), M (calendar month)", case_sensitive=False)
]


def _columns(id_col: str, product_col: str, time_col: str, rating_col: str):
    # trends never read the text or channel columns: their defaults stay unchecked
    return column_map("text", id_col, product_col, time_col, rating_col, "channel")


@friendly_errors
def trends_cmd(
    scored: Annotated[str, typer.Argument(help="scored table from `nlp score` (CSV/TSV/JSONL/Parquet, or - for stdin)")],
    output: Annotated[Path, typer.Option("-o", "--output", help="feature table; format from the extension")],
    topics: Annotated[
        Path | None, typer.Option("--topics", help="`nlp topics` output directory: topic shares, emerging topics")
    ] = None,
    freq: FreqOpt = "W",
    lag: Annotated[
        int, typer.Option("--lag", min=0, help="shift all features K periods later (future covariates up to K ahead)")
    ] = 0,
    top_topics: Annotated[int, typer.Option("--top-topics", min=0, help="topic_<k>_share columns for the N largest topics")] = 10,
    min_volume: Annotated[
        int, typer.Option("--min-volume", min=0, help="fewest rows in a period for sentiment z-scores and anomaly flags")
    ] = 5,
    window: Annotated[
        int, typer.Option("--window", min=1, help="trailing periods in the z-score baseline (current excluded)")
    ] = 8,
    min_periods: Annotated[int, typer.Option("--min-periods", min=1, help="fewest usable baseline periods for a z-score")] = 3,
    z_threshold: Annotated[float, typer.Option("--z-threshold", help="robust z that flags a spike")] = 3.5,
    ewm_halflife: Annotated[float, typer.Option("--ewm-halflife", help="half-life of sentiment_ewm, in periods")] = 3.0,
    by_topic: Annotated[
        bool, typer.Option("--by-topic", help="one series per topic (all products) instead of per product")
    ] = False,
    exclude_flags: Annotated[
        str, typer.Option("--exclude-flags", help="leave out rows with any of these flags, comma-separated (e.g. duplicate)")
    ] = "",
    tz: Annotated[
        str, typer.Option("--tz", help="time zone periods are counted in: offsets are converted to it, naive times taken as its")
    ] = DEFAULT_TZ,
    id_col: IdCol = "id",
    product_col: ProductCol = "product_id",
    time_col: TimeCol = "created_at",
    rating_col: RatingCol = "rating",
) -> None:
    """Per product × period signals: volume, sentiment, intent rates, topic shares, robust z-scores, anomaly flags."""
    from nlp.trends.table import trends_table

    run = trends_table(
        scored,
        output,
        _columns(id_col, product_col, time_col, rating_col),
        topics_dir=topics,
        by_topic=by_topic,
        freq=freq.upper(),
        lag=lag,
        top_topics=top_topics,
        min_volume=min_volume,
        window=window,
        min_periods=min_periods,
        z_threshold=z_threshold,
        ewm_halflife=ewm_halflife,
        exclude_flags=tuple(f.strip() for f in exclude_flags.split(",") if f.strip()),
        tz=tz,
    )
    anomalies = ", ".join(f"{k.removeprefix('anomaly_')} {v}" for k, v in run.anomaly_counts().items())
    err_console.print(
        f"{run.input_rows} rows in → {run.rows} rows ({run.series} series × periods) → {run.output}; anomalies: {anomalies or 'none'}",
        soft_wrap=True,
    )
    if run.excluded:
        err_console.print(f"{run.excluded} rows left out by --exclude-flags", soft_wrap=True)
    if run.rejected:
        err_console.print(
            f"[yellow]{run.rejected} rows without a product or a parseable date were not used[/yellow] → {run.rejects}",
            soft_wrap=True,
        )


@friendly_errors
def evaluate_trends_cmd(
    scored: Annotated[str, typer.Argument(help="scored table from `nlp score` (any product × time data with score columns)")],
    output: Annotated[Path, typer.Option("-o", "--output", help="JSON report")] = Path("trends_backtest.json"),
    freq: FreqOpt = "M",
    horizons: Annotated[str, typer.Option("--horizons", help="periods ahead, comma-separated")] = "1,2,3",
    origins: Annotated[
        int, typer.Option("--origins", min=1, help="rolling origins (the last ones before the end of the data)")
    ] = 12,
    model: Annotated[
        Literal["ridge", "lightgbm"],
        typer.Option(
            "--model", help="model on lag features: ridge (on log1p volume) or lightgbm (Poisson; needs nlp-insight[forecast])"
        ),
    ] = "ridge",
    season_length: Annotated[
        int | None, typer.Option("--season-length", min=1, help="seasonal-naive season (default 12 M, 52 W, 7 D)")
    ] = None,
    lags: Annotated[int, typer.Option("--lags", min=1, help="volume lags given to the model")] = 6,
    min_reviews: Annotated[int, typer.Option("--min-reviews", min=1, help="series need this many reviews")] = 30,
    max_reviews: Annotated[
        int | None,
        typer.Option("--max-reviews", help="leave out series with this many reviews or more (NSMC: 100 = truncated films)"),
    ] = None,
    min_active: Annotated[int, typer.Option("--min-active", min=1, help="series need this many periods with reviews")] = 6,
    min_length: Annotated[
        int, typer.Option("--min-length", min=1, help="series need this many periods from first review to the end")
    ] = 24,
    active_window: Annotated[
        int,
        typer.Option(
            "--active-window", min=1, help="forecast a series at an origin only if it had reviews in this many periods up to it"
        ),
    ] = 6,
    min_history: Annotated[int, typer.Option("--min-history", min=1, help="periods of history a series needs at an origin")] = 3,
    seed: Annotated[int, typer.Option("--seed", help="model seed")] = 0,
    id_col: IdCol = "id",
    product_col: ProductCol = "product_id",
    time_col: TimeCol = "created_at",
    rating_col: RatingCol = "rating",
) -> None:
    """Backtest next-period review volume per product: model with vs without text signals, against seasonal-naive."""
    from rich.table import Table

    from nlp.trends.backtest import backtest_forecasts, last_complete_period, score_forecasts, select_series
    from nlp.trends.features import TrendConfig, _features_from_rows, prepare_rows
    from nlp.trends.table import read_scored

    try:
        hs = sorted({int(h) for h in horizons.split(",") if h.strip()})
    except ValueError:
        raise ValueError(f"--horizons must be comma-separated integers, got {horizons!r}") from None
    if not hs or hs[0] < 1:
        raise ValueError(f"--horizons must be positive integers, got {horizons!r}")
    freq = freq.upper()  # type: ignore[assignment]
    cmap = _columns(id_col, product_col, time_col, rating_col)
    frame, parse_rejects = read_scored(scored)
    cfg = TrendConfig(freq=freq)
    prepared = prepare_rows(frame, cmap, config=cfg)
    if prepared.frame.empty:
        raise ValueError("no usable rows (every row lacks a product or a parseable date)")
    end = last_complete_period(prepared.frame["time"], freq)
    features = _features_from_rows(prepared.frame, cfg, cmap, doc_topics=None, topic_labels=None, by_topic=False, extend_to=end)
    features = features[features["ds"] <= end].reset_index(drop=True)
    selection = select_series(
        features, min_reviews=min_reviews, max_reviews=max_reviews, min_active_periods=min_active, min_length=min_length
    )
    err_console.print(
        f"using {len(selection.ids)} of {selection.n_candidates} products: {selection.rule}; data to {end:%Y-%m-%d} (last complete period)"
        + (f"; left out: {selection.excluded}" if selection.excluded else ""),
        soft_wrap=True,
    )
    if prepared.rejects or parse_rejects:
        err_console.print(
            f"[yellow]{len(prepared.rejects) + len(parse_rejects)} rows without a product or a parseable date were not used[/yellow]",
            soft_wrap=True,
        )
    if not selection.ids:
        raise ValueError("no product passes the selection; lower --min-reviews / --min-active / --min-length")
    forecasts = backtest_forecasts(
        features,
        freq=freq,
        horizons=hs,
        n_origins=origins,
        model=model,
        n_lags=lags,
        season_length=season_length,
        active_window=active_window,
        min_history=min_history,
        series=selection.ids,
        random_state=seed,
    )
    metrics = score_forecasts(forecasts)
    table = Table(title=f"next-period review volume, {freq}, {origins} origins (MASE, sMAPE %, MAE)")
    for col in ("model", "h", "MASE", "sMAPE", "MAE", "forecasts", "series"):
        table.add_column(col, justify="left" if col == "model" else "right")
    for r in metrics.itertuples():
        table.add_row(
            r.model, str(r.horizon), f"{r.mase:.3f}", f"{r.smape:.1f}", f"{r.mae:.3f}", str(r.n_forecasts), str(r.n_series)
        )
    err_console.print(table)
    flags = frame["flags"].astype("string").fillna("") if "flags" in frame.columns else None
    standin = bool(flags is not None and flags.str.contains("standin_scores", regex=False).any())
    report = {
        "task": "rolling-origin backtest of next-period review volume (n_reviews) per product",
        "input": str(scored),
        "input_rows": len(frame) + len(parse_rejects),
        "rejected_rows": len(prepared.rejects) + len(parse_rejects),
        "score_columns": "STAND-IN (rating/keyword derived, flag standin_scores): not the scorer"
        if standin
        else "from the input (nlp score)",
        "freq": freq,
        "end": f"{end:%Y-%m-%d}",
        "horizons": hs,
        "origins": sorted({f"{o:%Y-%m-%d}" for o in forecasts["origin"]}),
        "model": model,
        "season_length": season_length,
        "lags": lags,
        "active_window": active_window,
        "min_history": min_history,
        "seed": seed,
        "selection": selection.to_dict(),
        "metrics": json.loads(metrics.to_json(orient="records")),
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    err_console.print(f"report → {output}", soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("trends")(trends_cmd)
    evaluate_app.command("trends")(evaluate_trends_cmd)
