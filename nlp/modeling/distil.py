"""Distillation: a shallower student that scores like the shipped model, for the fast path.

The student keeps the teacher's bottom ``layers`` transformer layers, starts from the
teacher's LoRA adapters and heads for those layers, and is trained against a mix of the
teacher encoder's probabilities (both heads, on every text) and the hard labels where a
text has one:

    target = alpha * teacher + (1 - alpha) * label      (label known for that task)
    target = teacher                                    (no label for that task)

Why this recipe: the encoder is most of the scoring time (``bench/bench_score.py``), and
its time grows with the layers kept; starting from the teacher's own bottom layers keeps
what fine-tuning taught them, and the teacher's soft targets carry both tasks on texts that
only have one label. The char TF-IDF models are the teacher's (same training data), shared
by reference (``sparse_from`` in the student's config) rather than copied; the blends are
re-fitted to the student's probabilities on the same held-out rows as the teacher's.
"""

from __future__ import annotations

import json
import logging
import os
import re
from pathlib import Path

import numpy as np

from nlp.modeling.intent import GOLD_DIR, INTENT_LABELS, intent_training_data, load_gold
from nlp.modeling.sentiment import SentimentSource, assemble_sentiment_data
from nlp.modeling.sentiment_data import SENTIMENT_LABELS

logger = logging.getLogger(__name__)

__all__ = ["student_from_teacher", "distil"]

_LAYER = re.compile(r"\.layer\.(\d+)\.")


def student_from_teacher(teacher_dir: str | Path, layers: int, prefix: str | None = None):
    """A trainable :class:`MultiTaskEncoder` with the teacher's bottom ``layers`` layers, adapters and heads.

    ``prefix`` replaces the teacher's input prefix (``""`` saves its tokens on every text).
    """
    from safetensors.torch import load_file

    from nlp.artifacts.encoder import ADAPTER_NAME, CONFIG_NAME, EncoderConfig, MultiTaskEncoder

    d = Path(teacher_dir)
    raw = json.loads((d / CONFIG_NAME).read_text())
    known = {k: raw[k] for k in EncoderConfig.__dataclass_fields__ if k in raw}
    if layers >= known.get("num_layers", 6):
        raise ValueError(f"a student needs fewer layers than its teacher ({known.get('num_layers')}), got layers={layers}")
    if not known.get("lora_r"):
        raise ValueError(f"{d} was trained without LoRA adapters; distillation starts from a LoRA model")
    known["num_layers"] = layers
    if prefix is not None:
        known["prefix"] = prefix
    student = MultiTaskEncoder(EncoderConfig(**known))
    student.add_lora()
    state = load_file(str(d / ADAPTER_NAME))
    kept = {k: v for k, v in state.items() if not k.startswith("encoder.") or int(_LAYER.search(k).group(1)) < layers}
    student.load_trainable_state(kept)
    student.load_extra_heads(d, raw.get("extra_heads", {}))  # heads saved beside the adapter (older layout)
    student.train()
    return student


def _unlabelled_texts(paths: list[str], seen: set[str]) -> list[str]:
    """Normalised, de-duplicated texts of unlabelled tables (a ``text`` column), minus texts already labelled."""
    from nlp.io.tables import read_table
    from nlp.text.normalize import normalize

    out: list[str] = []
    for p in paths:
        df = read_table(p)
        if "text" not in df.columns:
            raise ValueError(f"{p}: an unlabelled table needs a text column; it has {list(df.columns)}")
        out += [t for t in normalize(df["text"].dropna().astype(str)) if t]
    return [t for t in dict.fromkeys(out) if t not in seen]


def _mix(teacher: np.ndarray, labels: np.ndarray | None, alpha: float) -> np.ndarray:
    if labels is None:
        return teacher.astype(np.float32)
    return (alpha * teacher + (1 - alpha) * labels).astype(np.float32)


def distil(
    teacher_dir: str | Path,
    out_dir: str | Path,
    run_dir: str | Path,
    sources: list[SentimentSource],
    layers: int = 3,
    gold_dir: str | Path = GOLD_DIR,
    gold_repeat: int = 2,
    alpha: float = 0.5,
    train_config=None,
    seed: int = 13,
    prefix: str | None = None,
    unlabelled: list[str] | None = None,
    unlabelled_repeat: int = 1,
) -> Path:
    """Train a ``layers``-layer student of ``teacher_dir`` and save it (without blends) to ``out_dir``.

    Args:
        sources: sentiment tables (their held-out films / rows stay out, as for the teacher).
        gold_repeat: times the gold intent training rows are used.
        alpha: weight of the teacher's probabilities where a hard label exists.
        prefix: the student's input prefix (default: the teacher's).
        unlabelled: tables with a ``text`` column and no labels; the teacher's probabilities are
            their only targets (texts unlike films teach the student what the teacher does there).
        unlabelled_repeat: times each unlabelled text is used.
    """
    from nlp.modeling.train import TrainConfig, train
    from nlp.scoring.scorer import Scorer

    run = Path(run_dir)
    run.mkdir(parents=True, exist_ok=True)
    s_texts, s_y, _ = assemble_sentiment_data(sources, seed=seed)
    gold = load_gold(gold_dir)
    i_texts, i_y = intent_training_data(gold, None, gold_repeat)
    u_texts = _unlabelled_texts(unlabelled or [], set(s_texts) | set(i_texts)) * unlabelled_repeat
    texts = s_texts + i_texts + u_texts  # all normalised
    cache = run / "teacher_probs.npz"  # teacher scoring is minutes: kept for a resumed run
    if cache.exists():
        z = np.load(cache, allow_pickle=False)
        t_sent, t_int = z["sentiment"], z["intent"]
    else:
        uniq = list(dict.fromkeys(texts))
        logger.info("teacher scores %d unique texts", len(uniq))
        teacher = Scorer.load(teacher_dir)
        if "intent" not in teacher.labels:
            raise ValueError(f"teacher {teacher_dir} has no intent head; distil a model made by `nlp train intent`")
        p = teacher.predict(uniq, use_sparse=False)
        pos = {t: i for i, t in enumerate(uniq)}
        rows = np.array([pos[t] for t in texts])
        t_sent, t_int = p["sentiment"][rows], p["intent"][rows]
        np.savez(cache, sentiment=t_sent, intent=t_int)
    ns, ni = len(s_texts), len(i_texts)
    if len(t_sent) != len(texts):
        raise ValueError(f"{cache} holds teacher probabilities for {len(t_sent)} texts, the data now has {len(texts)}: delete it or use a new run_dir=")
    targets = {
        "sentiment": np.concatenate([_mix(t_sent[:ns], s_y, alpha), _mix(t_sent[ns:], None, alpha)]),
        "intent": np.concatenate([_mix(t_int[:ns], None, alpha), _mix(t_int[ns : ns + ni], i_y, alpha), _mix(t_int[ns + ni :], None, alpha)]),
    }
    assert targets["sentiment"].shape == (len(texts), len(SENTIMENT_LABELS)) and targets["intent"].shape[1] == len(INTENT_LABELS)
    student = student_from_teacher(teacher_dir, layers, prefix)
    logger.info("distilling into %d layers: %d texts (%d sentiment, %d intent, %d unlabelled)", layers, len(texts), ns, ni, len(u_texts))
    train(student, texts, targets, run, train_config or TrainConfig(seed=seed))
    out = student.save(out_dir, extra_config={"sparse_from": os.path.relpath(Path(teacher_dir).resolve(), Path(out_dir).resolve())})
    (Path(out) / "training_data.json").write_text(
        json.dumps(
            {
                "distilled_from": str(teacher_dir),
                "layers": layers,
                "alpha": alpha,
                "prefix": student.config.prefix,
                "sentiment": [{"path": s.path, "max_rows": s.max_rows, "repeat": s.repeat} for s in sources],
                "intent": {"gold_train": int((gold["split"] == "train").sum()), "gold_repeat": gold_repeat},
                "unlabelled": {"paths": list(unlabelled or []), "texts": len(u_texts) // max(1, unlabelled_repeat), "repeat": unlabelled_repeat},
            },
            indent=2,
        )
    )
    return out
