"""``nlp run``: score → topics → trends → report, everything into one output directory.

Each stage hands the next a file on disk, so any stage can be re-run on its own. The run
holds ``DIR.lock`` while it works (a second run on the same directory refuses at once), and
records in ``DIR/run.json`` (written atomically after every stage) which stages finished,
with what they wrote. A stage counts as finished only once all its outputs are in place.
With ``resume=True`` a finished stage is kept when its outputs are still there and the
settings it depends on are the same; scoring continues from its finished chunks; every stage
after the first one redone is redone too.

Example:
    >>> from nlp.pipeline import run
    >>> result = run(output_dir="out/demo")  # doctest: +SKIP
    >>> result.report  # doctest: +SKIP
    PosixPath('out/demo/report.html')
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from nlp.io.atomic import atomic_write_text, sweep_partials
from nlp.io.columns import ColumnMap
from nlp.io.interrupt import RunInterrupted
from nlp.io.lock import OutputLock
from nlp.resources import demo_corpus
from nlp.schema import ASPECTS_FILE, FINDINGS_FILE, REPORT_FILE

logger = logging.getLogger(__name__)

__all__ = ["run", "RunResult", "DEMO_CORPUS", "RUN_FILE", "STAGES"]

DEMO_CORPUS = demo_corpus()
RUN_FILE = "run.json"
STAGES = ("score", "aspects", "topics", "trends", "report")


@dataclass
class RunResult:
    """Where everything went, with row accounting, stage timings and which stages finished.

    ``stages`` maps each finished stage to what it wrote (``outputs``) and its figures;
    ``complete`` is true once every stage has finished.
    """

    scored: Path
    rejects: Path
    topics: Path | None
    trends: Path | None
    report: Path | None
    aspects: Path | None = None
    input_rows: int = 0
    scored_rows: int = 0
    rejected_rows: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    stages: dict[str, dict] = field(default_factory=dict)
    settings: dict = field(default_factory=dict)
    complete: bool = False

    def to_json(self) -> str:
        return json.dumps({k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(self).items()}, ensure_ascii=False, indent=2)


def run(
    input: str | os.PathLike | None = None,
    output_dir: str | os.PathLike = "out",
    columns: ColumnMap | None = None,
    model_dir: str | os.PathLike | None = None,
    freq: str = "auto",
    nr_topics: str | int = "auto",
    min_topic_size: int | None = None,
    seed: int = 42,
    resume: bool = False,
    quantize: bool = True,
    recheck: float | None = None,
    backend: str | None = None,
    mask_pii: bool = True,
    title: str | None = None,
    topics_model: str | os.PathLike | None = None,
    engine: str = "local",
    spark_master: str = "local[*]",
    rating_scale: str | float | None = None,
    on_stage: Callable[[str, dict], None] | None = None,
    intent_rules: bool = True,
    domain: str = "auto",
    taxonomy: str | os.PathLike | None = None,
    domain_col: str | None = None,
) -> RunResult:
    """Run the whole pipeline on ``input`` (default: the demo corpus) into ``output_dir``.

    ``on_stage(stage, record)`` is called as each local stage ends (or is kept on resume, with
    ``record["kept"]``); the record is the stage's entry in ``run.json`` (outputs, seconds, figures).
    ``nlp run`` prints one line per stage from it.

    Trends and the time charts need product and date columns; when the input has none,
    those stages are skipped with a note rather than failing the run.

    Topics are embedded with ``topics_model`` (default: the base e5 encoder). The scorer's
    own pooled embeddings are not reused: fine-tuned for sentiment and intent, they lose
    the topical structure (docs/decisions.md).

    ``engine="spark"`` runs scoring, topics and trends on Apache Spark (``spark_master``; see
    :mod:`nlp.engines.spark_run`): the same scored rows, and the same topics and trends where
    the table fits the topic model's fit sample.
    ``quantize`` (the default) scores and embeds topics on int8 (scoring with its fp32 re-check of
    close intent calls); ``False`` runs both in fp32. ``rating_scale``: the valid ratings for the
    ``rating_invalid`` flag (``None``: inferred). ``intent_rules=False`` keeps the model's own intent
    (``--no-intent-rules``; by default intent follows what the text states). ``domain``, ``taxonomy`` and
    ``domain_col`` are the aspect stage's (``nlp aspects``' options: ``auto`` or a domain name, a TOML/YAML
    file of extra aspects or domains, a column naming each row's domain); a bad file or an unknown domain
    fails before scoring starts.

    Raises:
        OutputInUse: another run is writing ``output_dir``.
        RunInterrupted: on Ctrl-C, with the stages kept and how to resume.
    """
    from nlp.aspects.table import check_aspect_options
    from nlp.engines import check_engine

    check_aspect_options(domain, taxonomy)
    if check_engine(engine, spark_master) == "spark":
        if resume:
            raise ValueError("resume=True is for engine='local'; Spark re-runs failed tasks itself")
        from nlp.engines.spark_run import run as run_spark

        return run_spark(
            input, output_dir, columns, master=spark_master, model_dir=model_dir, freq=freq, nr_topics=nr_topics, min_topic_size=min_topic_size,
            seed=seed, quantize=quantize, recheck=recheck, backend=backend, mask_pii=mask_pii, topics_model=topics_model, rating_scale=rating_scale,
            title=title, intent_rules=intent_rules, domain=domain, taxonomy=taxonomy, domain_col=domain_col,
        )
    out = Path(output_dir)
    with OutputLock(out):
        return _run_locked(
            input, out, columns or ColumnMap(), model_dir, freq, nr_topics, min_topic_size, seed, resume, quantize, recheck, backend,
            mask_pii, title, topics_model, rating_scale, on_stage, intent_rules, domain, taxonomy, domain_col,
        )


def _run_locked(
    input, out: Path, cmap: ColumnMap, model_dir, freq, nr_topics, min_topic_size, seed, resume, quantize, recheck, backend, mask_pii, title,
    topics_model, rating_scale=None, on_stage=None, intent_rules=True, domain="auto", taxonomy=None, domain_col=None,
) -> RunResult:
    from nlp.io.tables import read_table
    from nlp.scoring.table import input_signature, score_table
    from nlp.text.pipeline import TextPreparer

    src = Path(input) if input not in (None, "") and str(input) != "-" else (None if str(input) == "-" else DEMO_CORPUS)
    out.mkdir(parents=True, exist_ok=True)
    sweep_partials(out / RUN_FILE)  # left by a run that was killed while writing it
    scored = out / "scored.parquet"
    res = RunResult(scored=scored, rejects=Path(str(scored) + ".rejects.jsonl"), topics=None, trends=None, report=None)
    # what each stage's outputs depend on (the backend is left out: every backend gives the same outputs)
    res.settings = {
        "score": {
            "input": input_signature(src),
            "columns": dict(cmap.__dict__),
            "model": str(model_dir) if model_dir else None,
            "int8": quantize,
            "recheck": recheck,
            "mask_pii": mask_pii,
            "rating_scale": None if rating_scale is None else str(rating_scale),
            "intent_rules": intent_rules,
        },
        "aspects": {
            "domain": domain,
            "taxonomy": input_signature(taxonomy) if taxonomy else None,
            "domain_col": domain_col,
            "model": str(model_dir) if model_dir else None,
            "int8": quantize,
        },
        "topics": {
            "nr_topics": str(nr_topics),
            "min_topic_size": min_topic_size,
            "seed": seed,
            "topics_model": str(topics_model) if topics_model else None,
            "int8": quantize,
            "freq": freq,
        },
        "trends": {"freq": freq},
        "report": {"title": title},
    }
    done = _finished_stages(out) if resume else {}
    redo = False  # once a stage is redone, every later stage is redone too

    def keep(stage: str) -> bool:
        nonlocal redo
        record = done.get(stage)
        if redo or record is None:
            redo = True
            return False
        if record.get("settings") != json.loads(json.dumps(res.settings[stage])):
            logger.info("%s: run with other settings before; done again", stage)
            redo = True
            return False
        if not all(Path(p).exists() for p in record.get("outputs", [])):
            logger.info("%s: outputs of the earlier run are missing; done again", stage)
            redo = True
            return False
        logger.info("%s: finished in an earlier run; kept (resume)", stage)
        res.stages[stage] = record
        res.seconds[stage] = record.get("seconds", 0.0)
        if on_stage is not None:
            on_stage(stage, {**record, "kept": True})
        return True

    def finish(stage: str, t0: float, outputs: list, **figures) -> None:
        res.seconds[stage] = time.perf_counter() - t0
        res.stages[stage] = {"outputs": [str(p) for p in outputs], "seconds": res.seconds[stage], "settings": res.settings[stage], **figures}
        atomic_write_text(out / RUN_FILE, res.to_json())
        if on_stage is not None:
            on_stage(stage, res.stages[stage])

    loaded: dict = {}

    def scorer():
        # one scorer for scoring and the aspect stage's open clauses: the model loads once per run (the
        # clauses use only the sentiment head and its char model, which the score options leave alone)
        if "scorer" not in loaded:
            from nlp.scoring.scorer import Scorer

            loaded["scorer"] = Scorer.load(model_dir, quantize=quantize, backend=backend, recheck_margin=recheck, intent_rules=intent_rules)
        return loaded["scorer"]

    try:
        t0 = time.perf_counter()
        if keep("score"):
            rec = res.stages["score"]
            res.input_rows, res.scored_rows, res.rejected_rows = rec["input_rows"], rec["scored_rows"], rec["rejected_rows"]
        else:
            TextPreparer(rating_scale=rating_scale)  # a bad rating scale fails before the model loads
            stats = score_table(
                src, scored, cmap, model_dir=model_dir, resume=resume, mask_pii=mask_pii, quantize=quantize, recheck=recheck, backend=backend, rating_scale=rating_scale,
                intent_rules=intent_rules, scorer=scorer(),
            )
            res.input_rows, res.scored_rows, res.rejected_rows = stats.input_rows, stats.output_rows, stats.rejected_rows
            finish("score", t0, [scored, res.rejects], input_rows=res.input_rows, scored_rows=res.scored_rows, rejected_rows=res.rejected_rows)
        frame = read_table(scored)
        has_time = cmap.time in frame.columns and cmap.product in frame.columns
        tf = freq if freq in ("D", "W", "M") else (_auto_freq(frame[cmap.time]) if cmap.time in frame.columns else "W")

        t0 = time.perf_counter()
        aspects_path = out / ASPECTS_FILE
        res.aspects = aspects_path
        if not keep("aspects"):
            from nlp.aspects.table import aspects_table

            # the scored table's probabilities are reused for one-clause reviews; the domain is chosen per product
            astats = aspects_table(
                scored, aspects_path, cmap, domain=domain, taxonomy=taxonomy, domain_col=domain_col, model_dir=model_dir, quantize=quantize, backend=backend, freq=tf,
                scorer=scorer(),
            )
            e = astats.extract
            finish("aspects", t0, [aspects_path], mentions=e.rows, reviews_with_aspects=e.with_aspects, reviews_without=e.without_aspects, domains=e.domains)
        loaded.clear()  # the topic stage loads its own encoder

        t0 = time.perf_counter()
        topics_dir = out / "topics"
        res.topics = topics_dir
        if not keep("topics"):
            from nlp.topics import topics_table
            from nlp.topics.model import TooFewDocumentsError

            try:
                topics = topics_table(
                    scored, topics_dir, cmap, nr_topics=nr_topics, min_topic_size=min_topic_size, seed=seed, model_dir=topics_model, freq=tf,
                    backend=backend, int8=quantize,
                )
                finish("topics", t0, list(topics.files.values()), n_topics=topics.n_topics)
            except TooFewDocumentsError as exc:
                # a small file still gets its trends and report, without the topics section
                res.skipped["topics"] = str(exc)
                finish("topics", t0, [], skipped=res.skipped["topics"])
        if res.stages.get("topics", {}).get("skipped"):
            res.skipped["topics"] = res.stages["topics"]["skipped"]
            topics_dir = res.topics = None

        trends_path = None
        t0 = time.perf_counter()
        if has_time:
            trends_path = out / "trends.parquet"
            res.trends = trends_path
            if not keep("trends"):
                from nlp.trends.table import trends_table

                trends = trends_table(scored, trends_path, cmap, topics_dir=topics_dir, freq=tf)
                _add_aspect_features(trends_path, aspects_path, frame, cmap, tf)
                finish("trends", t0, [trends_path] + ([trends.rejects] if trends.rejects else []), rows=trends.rows)
        else:
            res.skipped["trends"] = f"no {cmap.product!r} and {cmap.time!r} columns (map them with --product-col / --time-col)"
            if not keep("trends"):
                finish("trends", t0, [], skipped=res.skipped["trends"])

        t0 = time.perf_counter()
        if keep("report"):
            res.report = out / REPORT_FILE
        else:
            from nlp.report.build import write_report

            model_note = str(model_dir) if model_dir else "models/sentiment-e5s6 (default)"
            kw = {"model": model_note}
            if title:
                kw["title"] = title
            res.report = write_report(
                out / REPORT_FILE, frame, topics_dir, trends_path, aspects=aspects_path if aspects_path.exists() else None, columns=cmap, **kw
            )
            finish("report", t0, [res.report, out / FINDINGS_FILE])
    except KeyboardInterrupt as exc:
        finished = [s for s in STAGES if s in res.stages]
        inner = f"; {exc.kept}" if isinstance(exc, RunInterrupted) else ""
        raise RunInterrupted(
            f"the run was interrupted; finished stages kept in {out}: {', '.join(finished) or 'none'}{inner}",
            "run the same command again with resume=True to continue",
        ) from exc
    res.complete = True
    atomic_write_text(out / RUN_FILE, res.to_json())
    return res


def _add_aspect_features(trends_path: Path, aspects_path: Path, frame, cmap: ColumnMap, freq: str) -> None:
    """``aspect_<key>_share`` and ``aspect_<key>_net`` joined onto the trend table (per product × period)."""
    if not aspects_path.exists():
        return
    from nlp.aspects.aggregate import join_trend_columns, trend_columns
    from nlp.io.tables import read_table, write_table

    aspects = read_table(aspects_path)
    if aspects.empty:
        return
    features = read_table(trends_path)
    merged = join_trend_columns(features, trend_columns(aspects, frame, cmap, freq=freq))
    write_table(merged, trends_path)


def _finished_stages(out: Path) -> dict[str, dict]:
    """The stages an earlier run into ``out`` finished, from its ``run.json`` (none when it has no stage records)."""
    try:
        previous = json.loads((out / RUN_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    stages = previous.get("stages") if isinstance(previous, dict) else None
    return stages if isinstance(stages, dict) else {}


def _auto_freq(times) -> str:
    """Weekly or monthly from the span of the dates: the one threshold of :func:`nlp.periods.auto_freq`."""
    from nlp.periods import auto_freq

    return auto_freq(times)
