"""``nlp score`` as a library function: stream a table through the scorer, resumable, nothing lost.

Each chunk of input rows is scored and written as its own part (``OUT.parts/part-NNNNN``,
written under a name unique to the run and renamed into place only when complete). A killed
run re-started with ``resume=True`` skips the parts already written and continues; when every
chunk is done the parts are joined into ``OUT`` (atomically) and ``OUT.rejects.jsonl``.
Chunking is deterministic, so a resumed run writes exactly the rows and scores of an
uninterrupted one. While a run works on ``OUT`` it holds ``OUT.lock``
(:class:`~nlp.io.lock.OutputLock`): a second run on the same output refuses at once.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from nlp.io.atomic import atomic_path
from nlp.io.columns import ColumnMap, derive_ids
from nlp.io.interrupt import RunInterrupted
from nlp.io.lock import OutputLock
from nlp.io.rejects import rejects_path
from nlp.io.tables import ROW_COL, InputError, TableWriter, add_row_flags, as_text, iter_table
from nlp.scoring.scorer import DEFAULT_BATCH_SIZE, Scorer, Windows
from nlp.text.pipeline import TextPreparer, mask_output
from nlp.text.quality import UNSCORED_FLAGS, join_flags
from nlp.text.table import IdTracker, TableStats, mark_duplicate_ids

logger = logging.getLogger(__name__)

__all__ = ["score_table", "score_frame", "SCORE_COLUMNS"]

SCORE_COLUMNS = ["sentiment", "sentiment_score", "intent", "flags"]


def input_signature(path) -> dict:
    if path is None or str(path) == "-":
        return {"path": "-"}
    st = Path(path).stat()
    return {"path": str(Path(path).resolve()), "size": st.st_size, "mtime": int(st.st_mtime)}


@dataclass
class PreparedChunk:
    """The text stage of one chunk, done ahead of scoring (see :func:`score_table`)."""

    ids: list
    prepared: object  # nlp.text.pipeline.PreparedTexts
    live: list[int]
    windows: Windows


def prepare_frame(df: pd.DataFrame, scorer: Scorer, cmap: ColumnMap, prep: TextPreparer, ids_seen=None) -> PreparedChunk:
    """Ids, cleaned texts, flags and the token windows of one chunk: everything before the encoder.

    Rows flagged ``empty`` or ``filler`` are not scored (:data:`nlp.text.quality.UNSCORED_FLAGS`).
    """
    ids = derive_ids(df, cmap)
    prepared = prep.table(df, cmap)
    if ids_seen is not None:
        mark_duplicate_ids(prepared.flags, ids_seen(ids))
    texts = prepared.texts
    live = [i for i, f in enumerate(prepared.flags) if UNSCORED_FLAGS.isdisjoint(f)]
    windows = scorer.windows([texts[i] for i in live])
    for i, cut in zip(live, windows.cut):
        if cut and "truncated" not in prepared.flags[i]:
            prepared.flags[i].append("truncated")
    return PreparedChunk(ids, prepared, live, windows)


def score_frame(df: pd.DataFrame, scorer: Scorer, cmap: ColumnMap, prep: TextPreparer, ids_seen=None, want_embeddings: bool = False, ready: PreparedChunk | None = None):
    """Score one chunk (rows with ``_row``); returns (output frame, embeddings or None).

    ``ready`` is the chunk's :func:`prepare_frame` result when it was computed ahead.
    """
    ready = ready or prepare_frame(df, scorer, cmap, prep, ids_seen)
    ids, prepared, live = ready.ids, ready.prepared, ready.live
    texts = prepared.texts
    res = scorer.predict([texts[i] for i in live], want_embeddings=want_embeddings, windows=ready.windows)
    out = df.drop(columns=[ROW_COL]).copy()
    if cmap.id not in out.columns:
        out.insert(0, cmap.id, ids)
    else:
        out[cmap.id] = ids
    n = len(df)
    for task, lab in scorer.labels.items():
        # label column, then (for sentiment) the score, then one probability column per label
        p = np.full((n, len(lab)), np.nan, dtype=np.float32)
        p[live] = res[task]
        top = pd.Series(pd.NA, index=out.index, dtype="string")
        top.iloc[live] = [lab[j] for j in res[task].argmax(axis=1)]
        out[task] = top
        if task == "sentiment":
            out["sentiment_score"] = np.round(p[:, lab.index("positive")] - p[:, lab.index("negative")], 4)
        for j, name in enumerate(lab):
            out[f"{task}_{name}"] = np.round(p[:, j], 4)
    if prep.mask_pii:
        # the written row carries no personal data either: the raw text, the id, the product and
        # the pass-through columns (a date column is left alone: a false hit would break its parsing)
        mask_output(out, prepared, cmap.text, [c for c in dict.fromkeys([cmap.id, *df.columns]) if c not in (ROW_COL, cmap.time)])
    out["flags"] = [join_flags(f) for f in prepared.flags]
    emb = None
    if want_embeddings:
        emb = np.zeros((n, res["embeddings"].shape[1] if live else scorer.model.encoder.config.hidden_size), dtype=np.float16)
        if live:
            emb[live] = res["embeddings"].astype(np.float16)
    return out, emb


def score_table(
    input: str | os.PathLike | None,
    output: str | os.PathLike,
    columns: ColumnMap | None = None,
    model_dir: str | os.PathLike | None = None,
    scorer: Scorer | None = None,
    resume: bool = False,
    mask_pii: bool = True,
    chunk_size: int = 5_000,
    batch_size: int = DEFAULT_BATCH_SIZE,
    threads: int | None = None,
    quantize: bool = True,
    recheck: float | None = None,
    backend: str | None = None,
    embeddings: str | os.PathLike | None = None,
    rating_scale: str | float | None = None,
    show_progress_bar: bool | None = None,
    intent_rules: bool = True,
) -> TableStats:
    """Score every row of ``input`` into ``output`` (+ ``output.rejects.jsonl``).

    Args:
        input: CSV/TSV/JSONL/Parquet path or ``-``.
        output: output table; the format follows the extension.
        columns: column mapping.
        model_dir / scorer: the model (default: the shipped one).
        resume: continue a killed run from its finished parts.
        mask_pii: mask personal data before the model sees it and in every column written (the text
            with tags, id / product / pass-through columns with keyed tokens); flag ``pii_masked``.
        chunk_size: rows per part (also the resume granularity).
        quantize: the int8 encoder with its fp32 re-check (the default: within 0.5 points of fp32 on every
            test set, about 2.5x faster); ``False`` scores in fp32 (``nlp score --fp32``).
        embeddings: also write the encoder's pooled embeddings (float16 ``.npy``, output row order), for topics.
        recheck: with ``quantize``, re-score in fp32 the texts whose top-two intent probabilities are
            closer than this (``None``: :data:`nlp.scoring.scorer.RECHECK_MARGIN`; 0: off).
        rating_scale: the valid ratings for the ``rating_invalid`` flag (``5``, ``10``, ``"0.5-5"``;
            ``None``: 1-5, or 1-10 when the first chunk has a rating above 5).
        intent_rules: intent follows what the text states (won't-return, repurchase and recommend
            statements; :mod:`nlp.scoring.intent_override`); ``False`` keeps the model's own intent
            (``--no-intent-rules``). A given ``scorer`` keeps its own setting.

    Returns:
        Row accounting; ``input_rows == output_rows + rejected_rows`` is checked.
    """
    cmap = columns or ColumnMap()
    out_path = Path(output)
    parts = out_path.with_name(out_path.name + ".parts")
    if input is not None and str(input) != "-" and Path(input).resolve() == out_path.resolve():
        raise InputError("the output path is the input file; choose another -o")
    if resume and (input is None or str(input) == "-"):
        raise InputError("resume=True needs an input file (stdin cannot be re-read)")
    # one run per output: a second run on the same -o refuses here, before loading the model
    TextPreparer(rating_scale=rating_scale)  # a bad --rating-scale fails here, before the model loads
    with OutputLock(out_path):
        scorer = scorer or Scorer.load(
            model_dir, batch_size=batch_size, threads=threads, quantize=quantize, backend=backend, recheck_margin=recheck, intent_rules=intent_rules
        )
        state = {
            "version": 2,
            "input": input_signature(input),
            "chunk_size": chunk_size,
            "columns": cmap.__dict__,
            "mask_pii": mask_pii,
            "rating_scale": None if rating_scale is None else str(rating_scale),
            "window_rule": scorer.window_rule,
            "spelling": scorer.spelling,
            "model": hashlib.sha1(json.dumps(scorer.meta, sort_keys=True, default=str).encode()).hexdigest(),
            "precision": {"int8": scorer.quantized, "recheck": scorer.recheck_margin},  # a resumed run must not mix fp32 and int8 scores
            "embeddings": bool(embeddings),
            "intent_rules": bool(scorer.intent_rules),  # a resumed run must not mix intent with and without them
        }
        if parts.exists():
            old = _read_state(parts / "state.json")
            if resume and old is None and not any(parts.glob("part-*")):
                # killed between creating the folder and writing its state: nothing was scored yet
                logger.info("nothing finished to resume at %s; starting from the beginning", parts)
            elif resume and old != state:
                raise InputError(
                    f"cannot resume: {parts} was made with other settings (input, chunk size, columns or model differ); re-run without resume=True"
                )
            if not resume:
                shutil.rmtree(parts)
        elif resume:
            logger.info("nothing to resume at %s; starting from the beginning", parts)
        parts.mkdir(parents=True, exist_ok=True)
        for leftover in parts.glob("*.partial"):  # half-written by a run that died (we hold the lock)
            leftover.unlink(missing_ok=True)
        _atomic_text(parts / "state.json", json.dumps(state))

        prep = TextPreparer(mask_pii=mask_pii, rating_scale=rating_scale)
        ids_seen = IdTracker()
        stats = TableStats()
        from tqdm.auto import tqdm

        if show_progress_bar is None:
            show_progress_bar = logger.getEffectiveLevel() <= logging.INFO
        bar = tqdm(disable=not show_progress_bar, unit=" rows", desc="score", mininterval=2)

        def chunks():
            # the text stage of each chunk, in input order (duplicate ids are tracked across chunks)
            for k, chunk in enumerate(iter_table(input, chunk_size=chunk_size)):
                df = chunk.frame
                if k == 0:
                    cmap.validate(list(df.columns), source=str(input or "stdin"))
                if len(df):
                    df[cmap.text] = as_text(df[cmap.text])  # a number in the text column is scored as its text
                done = (parts / f"part-{k:05d}.parquet").exists() and (parts / f"part-{k:05d}.rejects.jsonl").exists()
                if done:  # scored in an earlier run: replay the text stage only, to restore duplicate state
                    if len(df):
                        mark_duplicate_ids(prep.table(df, cmap).flags, ids_seen(derive_ids(df, cmap)))
                    ready = None
                else:
                    ready = prepare_frame(df, scorer, cmap, prep, ids_seen) if len(df) else None
                    if ready is not None:
                        add_row_flags(ready.prepared.flags, df, chunk.row_flags)
                yield k, chunk, done, ready

        k = -1
        # chunk k+1 is read, cleaned and tokenised on a thread while chunk k is scored: ONNX Runtime
        # releases the GIL, and on 2 cores the text stage otherwise ran alone for ~10% of the time
        it = chunks()
        try:
            with ThreadPoolExecutor(1) as ahead:
                pending = ahead.submit(next, it, None)
                while (item := pending.result()) is not None:
                    pending = ahead.submit(next, it, None)
                    k, chunk, done, ready = item
                    df = chunk.frame
                    stats.input_rows += len(df) + len(chunk.rejects)
                    if not done:
                        part = parts / f"part-{k:05d}.parquet"
                        rej = parts / f"part-{k:05d}.rejects.jsonl"
                        if len(df):
                            scored, emb = score_frame(df, scorer, cmap, prep, ids_seen, want_embeddings=bool(embeddings), ready=ready)
                        else:
                            scored, emb = df.drop(columns=[ROW_COL]), None
                        if emb is not None:
                            with atomic_path(parts / f"part-{k:05d}.emb.npy") as tmp, open(tmp, "wb") as fh:
                                np.save(fh, emb)
                        _atomic_parquet(scored, part)
                        _atomic_text(rej, "".join(r.to_json() + "\n" for r in chunk.rejects))
                    bar.update(len(df) + len(chunk.rejects))
            bar.close()
            if k < 0:
                raise InputError(f"{input}: no table found")
            stats.output, stats.rejects, stats.output_rows, stats.rejected_rows = _join_parts(parts, out_path, k + 1, embeddings)
        except KeyboardInterrupt as exc:
            bar.close()
            raise _interrupted(input, out_path, parts) from exc
        stats.check()
        shutil.rmtree(parts)
        return stats


def _read_state(path: Path) -> dict | None:
    """The saved settings of a run, or ``None`` when missing or cut short (a kill while it was written)."""
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def _interrupted(input, out_path: Path, parts: Path) -> RunInterrupted:
    """What an interrupted scoring run keeps: its finished chunks, for ``--resume``."""
    n = len(list(parts.glob("part-*.rejects.jsonl"))) if parts.is_dir() else 0
    if input is None or str(input) == "-":
        return RunInterrupted(f"scoring stdin was interrupted; {out_path} was not written", "stdin cannot be resumed: run the command again")
    return RunInterrupted(
        f"scoring was interrupted; {n} finished chunk(s) are kept in {parts} and {out_path} was not written",
        "run the same command again with --resume to continue from them",
    )


def _atomic_parquet(df: pd.DataFrame, path: Path) -> None:
    with atomic_path(path) as tmp:
        df.to_parquet(tmp, index=False)


def _atomic_text(path: Path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def _join_parts(parts: Path, out_path: Path, n_parts: int, embeddings) -> tuple[str, str, int, int]:
    """Join the parts into the output, its rejects and embeddings; the output is renamed into place last."""
    n_out = 0
    n_rej = 0
    rpath = rejects_path(out_path)
    embs = []
    w = TableWriter(out_path)
    try:
        with atomic_path(rpath) as rtmp, open(rtmp, "w", encoding="utf-8") as rf:
            for k in range(n_parts):
                df = pd.read_parquet(parts / f"part-{k:05d}.parquet")
                if len(df) or k == 0:
                    w.write(df)
                n_out += len(df)
                text = (parts / f"part-{k:05d}.rejects.jsonl").read_text(encoding="utf-8")
                rf.write(text)
                n_rej += text.count("\n")
                e = parts / f"part-{k:05d}.emb.npy"
                if embeddings and e.exists():
                    embs.append(np.load(e))
        if embeddings:
            arr = np.concatenate(embs) if embs else np.zeros((0, 0), dtype=np.float16)
            with atomic_path(embeddings) as etmp, open(etmp, "wb") as fh:
                np.save(fh, arr)
        w.close()
    except BaseException:
        w.abort()
        raise
    return str(out_path), str(rpath), n_out, n_rej
