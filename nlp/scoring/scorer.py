"""The scorer: batched texts → sentiment and purchase intent (and embeddings for topics) in one forward pass.

A scorer model directory (``models/sentiment-e5s6`` is the default) holds:

* ``config.json`` — base encoder, layers kept, task labels, version;
* ``adapter.safetensors`` — LoRA adapters + the sentiment head (merged into the base at load);
* ``head_<task>.safetensors`` — further linear heads trained on the same encoder (intent);
* ``<task>_sparse*.{json,safetensors}`` — char TF-IDF models blended in per task (optional);
* ``blend.safetensors`` — per task, a calibrated stacker over the encoder's and the sparse
  model's log-probabilities (optional);
* ``README.md`` — the model card.

Example:
    >>> scorer = Scorer.load()  # doctest: +SKIP
    >>> out = scorer.predict(["배송 빨라요 재구매할게요"])  # doctest: +SKIP
    >>> out["sentiment"].shape  # doctest: +SKIP
    (1, 3)
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nlp.resources import shipped_models_dir
from nlp.schema import INTENT_LABELS, SENTIMENT_LABELS

logger = logging.getLogger(__name__)

__all__ = [
    "Scorer",
    "Windows",
    "RECHECK_MARGIN",
    "MAX_WINDOWS",
    "WINDOW_RULE",
    "WINDOW_RULES",
    "aggregate_windows",
    "DEFAULT_MODEL_DIR",
    "default_model_dir",
    "fast_model_dir",
    "resolve_fast",
    "ModelError",
    "INTENT_LABELS",
    "SENTIMENT_LABELS",
]

DEFAULT_MODEL_NAME = "sentiment-e5s6"


class ModelError(ValueError):
    """A model directory is missing or broken; the message says what to do."""


DEFAULT_BATCH_SIZE = 8
"""Texts per forward pass. Batches are token-sorted, so they carry little padding; small batches
were no slower than larger ones (measurements: docs/decisions.md)."""


RECHECK_MARGIN = 0.05
"""int8 on ONNX Runtime re-scores in fp32 the texts whose blended intent probabilities have
their top two closer than this (the default of ``--int8``; ``--recheck 0`` turns it off).

int8 noise flips labels only near a decision boundary, and intent, with its small classes, is
where a flip costs most. Every-task triggering stays available in the library
(``recheck_tasks=None``). How the margin and trigger were chosen: docs/decisions.md;
``python bench/bench_int8_recheck.py`` measures them on new weights."""


MAX_WINDOWS = 48
"""A long text is read in windows of whole sentences up to the model's length (128 tokens); at most this
many per text (about 6,000 tokens, more than the 5,000 characters a text is cut to). A text with more
windows is read up to here and flagged ``truncated``."""

WINDOW_RULES = ("first", "mean", "tokens", "last", "min")
"""How the windows of a long text make one sentiment: ``first`` (the opening window only: what a
single pass reads), ``mean`` (the mean of the windows' probabilities), ``tokens`` (the mean weighted by
each window's tokens), ``last`` (as ``tokens`` with the closing window's weight doubled), ``min`` (the
window with the lowest P(positive) - P(negative)). Intent always takes the token-weighted mean (the
opening window alone under ``first``)."""

SENTENCE_SPLITTER = "rules"
"""How a long text is cut into sentences for its windows: ``rules`` (after . ! ? … ~ and line breaks, and
after a sentence-final syllable such as 다, 요, 죠, 네, 음 or a jamo run before a space) or ``kiwi`` (Kiwi's
sentence splitter: as good on real reviews, but a full morphological analysis of every long text;
docs/decisions.md)."""

# a sentence ends at punctuation or a line break, or at a final syllable (or laughter / tears) before a space
_SENTENCE_END = re.compile(r"(?<=[.!?…~])\s+|\n+|(?<=[다요죠네음임함듯ㅋㅎㅠㅜ])\s+")

SPELLING = "all"
"""Where colloquial spellings are standardised before scoring (:mod:`nlp.text.spelling`): ``off``,
``encoder`` (what the encoder reads) or ``all`` (the char models too; chosen on real reviews:
docs/decisions.md). The text written to the output is never changed."""

WINDOW_RULE = "mean"
"""The rule :class:`Scorer` uses: the mean of the windows' sentiment probabilities (chosen on real reviews
against the other rules: docs/decisions.md)."""


def _closest_call(probs) -> np.ndarray:
    """Per text, the smallest difference between the top two probabilities over the given tasks' (n, k) arrays."""
    return np.min([np.diff(np.sort(p, axis=1)[:, -2:], axis=1)[:, 0] for p in probs], axis=0)


@dataclass
class Windows:
    """What the encoder reads of each text: one or more windows of token ids.

    ``ids`` holds every window, text after text; ``counts[i]`` is the number of windows of text
    ``i``; ``cut[i]`` is true when text ``i`` had more than :data:`MAX_WINDOWS` and its end was not read.
    """

    ids: list[list[int]]
    counts: list[int]
    cut: list[bool]

    def __post_init__(self) -> None:
        if sum(self.counts) != len(self.ids):
            raise ValueError(f"windows: {len(self.ids)} windows of token ids for counts adding up to {sum(self.counts)}")

    def __len__(self) -> int:
        return len(self.counts)

    def owners(self) -> np.ndarray:
        """The text each window belongs to."""
        return np.repeat(np.arange(len(self.counts)), self.counts)

    def select(self, rows: np.ndarray | list[int]) -> Windows:
        """The windows of some texts, in the order given."""
        starts = np.concatenate([[0], np.cumsum(self.counts)])
        ids = [self.ids[j] for i in rows for j in range(starts[i], starts[i + 1])]
        return Windows(ids, [self.counts[i] for i in rows], [self.cut[i] for i in rows])


def aggregate_windows(probs: np.ndarray, windows: Windows, rule: str = WINDOW_RULE, task: str = "sentiment", labels: list[str] | None = None) -> np.ndarray:
    """Per-window probabilities of one task → one row per text (see :data:`WINDOW_RULES`).

    Example:
        >>> w = Windows([[0, 5, 6, 2], [0, 7, 2]], counts=[2], cut=[False])
        >>> p = np.array([[0.1, 0.1, 0.8], [0.7, 0.1, 0.2]])
        >>> aggregate_windows(p, w, "mean").round(2).tolist(), aggregate_windows(p, w, "min", labels=["negative", "neutral", "positive"]).tolist()
        ([[0.4, 0.1, 0.5]], [[0.7, 0.1, 0.2]])
    """
    if rule not in WINDOW_RULES:
        raise ValueError(f"window rule must be one of {', '.join(WINDOW_RULES)}; got {rule!r}")
    n = len(windows)
    if len(probs) == n:  # one window per text
        return probs
    owner = windows.owners()
    starts = np.concatenate([[0], np.cumsum(windows.counts)])[:-1]
    if rule == "first":
        return probs[starts]
    if rule == "min" and task == "sentiment":
        labels = labels or list(SENTIMENT_LABELS)
        polarity = probs[:, labels.index("positive")] - probs[:, labels.index("negative")]
        order = np.lexsort((polarity, owner))  # by text, then polarity: each text's lowest window first
        return probs[order[starts]]
    tokens = np.array([max(len(x) - 2, 1) for x in windows.ids], dtype=np.float64)
    if rule == "mean" and task == "sentiment":
        w = np.ones(len(probs))
    else:
        w = tokens.copy()
        if rule == "last" and task == "sentiment":
            last = starts + np.asarray(windows.counts) - 1
            w[last] *= 2.0
    out = np.zeros((n, probs.shape[1]), dtype=np.float64)
    np.add.at(out, owner, probs * w[:, None])
    out /= np.bincount(owner, weights=w, minlength=n)[:, None]
    return out.astype(probs.dtype)


def default_model_dir() -> Path:
    """``$NLP_MODEL``, else ``sentiment-e5s6`` shipped with the package (``models/`` in a checkout)."""
    env = os.environ.get("NLP_MODEL")
    return Path(env) if env else shipped_models_dir() / DEFAULT_MODEL_NAME


DEFAULT_MODEL_DIR = default_model_dir()
FAST_MODEL_NAME = "sentiment-e5s3"


def fast_model_dir() -> Path:
    """``$NLP_FAST_MODEL``, else ``models/sentiment-e5s3``: the 3-layer student of the default model (``--fast``)."""
    env = os.environ.get("NLP_FAST_MODEL")
    return Path(env) if env else shipped_models_dir() / FAST_MODEL_NAME


def resolve_fast(fast: bool, model_dir, quantize: bool | None, recheck: float | None = None) -> tuple:
    """(model, int8, re-check margin) for the CLI's flags.

    ``quantize``: ``--int8`` (True), ``--fp32`` (False) or neither (``None``: int8, the default).
    ``--fast`` = the shipped fast model on int8 without the fp32 re-check (speed first; an
    explicit ``recheck`` still applies). It names its own model, so ``--model`` with it is an error.
    """
    if not fast:
        return model_dir, quantize is not False, recheck
    if model_dir:
        raise ValueError("fast=True picks the shipped fast model (models/sentiment-e5s3); your own model_dir= already runs on int8 by default")
    if quantize is False:
        raise ValueError("fast=True runs the fast model on int8; drop quantize=False, or drop fast=True to score in fp32")
    return fast_model_dir(), True, 0.0 if recheck is None else recheck


@dataclass
class _Blend:
    coef: np.ndarray  # (k, 2k)
    intercept: np.ndarray  # (k,)

    def __call__(self, p_enc: np.ndarray, p_sparse: np.ndarray) -> np.ndarray:
        feats = np.concatenate([np.log(np.clip(p_enc, 1e-6, 1)), np.log(np.clip(p_sparse, 1e-6, 1))], axis=1)
        z = feats @ self.coef.T + self.intercept
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def sparse_dir(model_dir: Path, cfg: dict) -> Path:
    """Where a model's char TF-IDF models live: its own directory, or ``sparse_from`` (a distilled student shares its teacher's)."""
    rel = cfg.get("sparse_from")
    if not rel:
        return model_dir
    shared = (model_dir / rel).resolve()
    if not shared.is_dir():
        raise ModelError(f"{model_dir} shares the char TF-IDF models of {rel} (sparse_from in config.json), but {shared} is not there; keep the two model directories side by side")
    return shared


def _wants_onnx(backend: str) -> bool:
    from nlp.scoring.onnx_backend import onnx_available

    return backend == "onnx" or (backend == "auto" and onnx_available())


def _torch_model(d: Path, cfg: dict, base: str | None):
    """The merged torch model of ``d`` with its extra heads, and its raw config."""
    from nlp.artifacts.encoder import MultiTaskEncoder

    try:
        model, raw = MultiTaskEncoder.load(d, base=base)
    except Exception as exc:
        if isinstance(exc, (ModelError, ImportError)):
            raise
        raise ModelError(f"cannot load model weights from {d}: {type(exc).__name__}: {exc}; the directory is corrupt or from another version") from exc
    try:
        model.load_extra_heads(d, cfg.get("extra_heads", {}))
    except FileNotFoundError as exc:
        raise ModelError(str(exc)) from exc
    return model, raw


def _graph_model(d: Path, cfg: dict, base: str | None, kw: dict):
    """``(GraphModel, cache key)`` when every ONNX graph the scorer will run is cached, else ``(None, None)``.

    Which graphs: the int8 one for ``quantize``, the fp32 one without it or for the fp32 re-check
    (on unless ``recheck_margin=0``). ``NLP_LOAD_TORCH=1`` always builds the torch model.
    """
    if os.environ.get("NLP_LOAD_TORCH") == "1" or not _wants_onnx(kw["backend"]):
        return None, None
    from nlp.artifacts.config import EncoderConfig, resolve_base
    from nlp.scoring.graph_model import GraphModel, graph_tokenizer_files
    from nlp.scoring.onnx_backend import model_key, onnx_cache_dir, scorer_graph

    known = {k: cfg[k] for k in EncoderConfig.__dataclass_fields__ if k in cfg}
    if base:
        known["base"] = base
    try:
        config = EncoderConfig(**known)
        base_dir = Path(resolve_base(config.base))
    except Exception:  # the torch load reports what is wrong
        return None, None
    if not base_dir.is_dir() or not graph_tokenizer_files(base_dir):
        return None, None
    for task, labels in cfg.get("extra_heads", {}).items():
        if not (d / f"head_{task}.safetensors").exists():
            return None, None
        config.tasks[task] = list(labels)
    key = model_key(d, base_dir)
    quantize = bool(kw.get("quantize", False))
    recheck = kw.get("recheck_margin")
    needs = [True] if quantize else []
    if not quantize or recheck is None or recheck > 0:
        needs.append(False)
    if not all(scorer_graph(onnx_cache_dir(), key, int8).is_file() for int8 in needs):
        return None, None
    return GraphModel(config, base_dir, d, base=base), key


class Scorer:
    """Sentiment + intent scorer over one shared encoder.

    Args:
        model: a loaded :class:`~nlp.artifacts.encoder.MultiTaskEncoder` (merged).
        sparse: task → fitted :class:`~nlp.artifacts.sparse.CharTfidfClassifier` (optional).
        blends: task → stacker over encoder and sparse probabilities (optional).
        batch_size: texts per forward pass (texts are sorted by token count first).
        threads: torch intra-op threads (default: all cores).
        quantize: int8 dynamic quantisation of the linear layers (faster on CPU).
        backend: ``torch``, ``onnx`` (ONNX Runtime; same outputs, faster on CPU) or ``auto``
            (onnx when onnxruntime is installed).
        cache_key: identifies the model for the ONNX export cache (``load`` sets it).
        recheck_margin: with ``quantize`` on ONNX Runtime, texts whose top-two blended
            probabilities differ by less than this (in a watched task) are scored again in fp32.
            ``None``: :data:`RECHECK_MARGIN` for int8 on ONNX Runtime, else off; 0: off.
        recheck_tasks: the tasks whose margins trigger the re-check. ``None``: intent when the
            model has it (every task otherwise) for the default margin, every task for an explicit one.
            Tasks the scorer does not have trigger nothing.
        intent_rules: intent follows what the text states (:mod:`nlp.scoring.intent_override`):
            a text saying its author will not buy, visit or use again, has returned or deleted it, or
            advises others not to, gets `avoid`, and a text with no such statement never does; a
            stated habit of buying (단골, 항상 시켜먹어요) gets `repurchase`, and advice (강추, 꼭 드세요)
            `recommend`. ``False`` leaves the models' reading.
    """

    def __init__(
        self,
        model,
        sparse=None,
        blends=None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        threads: int | None = None,
        quantize: bool = False,
        meta: dict | None = None,
        backend: str = "torch",
        cache_key: str | None = None,
        recheck_margin: float | None = None,
        recheck_tasks: tuple[str, ...] | None = None,
        intent_rules: bool = True,
    ) -> None:
        self.model = model
        self.intent_rules = intent_rules
        self.sparse = sparse or {}
        self.blends = blends or {}
        self.batch_size = batch_size
        self.meta = meta or {}
        self.quantized = quantize
        if backend not in ("torch", "onnx", "auto"):
            raise ValueError(f"backend must be torch, onnx or auto, got {backend!r}")
        from nlp.scoring.onnx_backend import OnnxEncoder, onnx_available, onnx_cache_dir

        if backend == "onnx" and not onnx_available():
            raise ImportError("backend='onnx' needs onnxruntime and onnx: pip install 'nlp-insight[model]'")
        self.backend = "onnx" if _wants_onnx(backend) else "torch"
        if getattr(model, "lean", False) and self.backend != "onnx":
            raise ValueError("a GraphModel runs on ONNX Runtime only; load the torch model for backend='torch'")
        if threads and (self.backend == "torch" or "torch" in sys.modules):  # torch's own threads: the ONNX sessions set theirs
            import torch

            torch.set_num_threads(threads)
        self._onnx = None
        self._onnx_fp32 = None
        explicit = recheck_margin is not None
        if recheck_margin is None:
            recheck_margin = RECHECK_MARGIN if (quantize and self.backend == "onnx") else 0.0
            if recheck_tasks is None and "intent" in model.config.tasks:
                recheck_tasks = ("intent",)
        if not 0 <= recheck_margin < 1:
            raise ValueError(f"recheck_margin= is a probability margin in [0, 1), got {recheck_margin}; {RECHECK_MARGIN} is the tested value")
        if explicit and recheck_margin and not (quantize and self.backend == "onnx"):
            raise ValueError("recheck_margin= re-scores int8 results in fp32: it needs quantize=True and the ONNX Runtime backend (pip install 'nlp-insight[model]')")
        self.recheck_margin = recheck_margin
        self.recheck_tasks = tuple(recheck_tasks) if recheck_tasks else None
        if self.backend == "onnx":
            cache = onnx_cache_dir() if cache_key else None
            if self.recheck_margin > 0:  # first: the int8 export smooths the model in place (same function, not bit-identical)
                self._onnx_fp32 = OnnxEncoder(model, cache, cache_key, int8=False, threads=threads)
            self._onnx = OnnxEncoder(model, cache, cache_key, int8=quantize, threads=threads)
        elif quantize:
            import warnings

            import torch

            warnings.filterwarnings("ignore", message=".*quantize_per_tensor.*")
            self.model.encoder = torch.ao.quantization.quantize_dynamic(self.model.encoder, {torch.nn.Linear}, dtype=torch.qint8)
        self.tasks = {t: list(labels) for t, labels in model.config.tasks.items()}
        self.cascade: Scorer | None = None
        self.cascade_margin = 0.0
        self.window_rule = WINDOW_RULE
        self.spelling = SPELLING
        self.sentence_splitter = SENTENCE_SPLITTER

    def with_cascade(self, second: Scorer, margin: float) -> Scorer:
        """Read every text with this (fast) scorer, and its close calls again with ``second``; returns self.

        A text whose top two probabilities differ by less than ``margin`` in any task is given
        ``second``'s whole reading (its encoder, blends, re-check and intent rules) instead of this
        one's. Both scorers must read the same token ids (the same base tokenizer and length) and have
        the same tasks and labels. Embeddings are not mixed: a call that asks for them is ``second``'s.
        """
        if not 0 <= margin <= 1:
            raise ValueError(f"margin is a probability margin in [0, 1], got {margin}")
        if second.tasks != self.tasks:
            raise ValueError(f"a cascade needs the same tasks and labels; {self.tasks} against {second.tasks}")
        if second.model.config.max_length != self.model.config.max_length or second.model.config.prefix != self.model.config.prefix:
            raise ValueError("a cascade needs two models that read the same windows (max_length and prefix differ)")
        self.cascade, self.cascade_margin = second, float(margin)
        self.meta = {**self.meta, "cascade": {"margin": self.cascade_margin, "second": second.meta}}  # a resumed run must not mix readings
        return self

    def set_threads(self, threads: int | None) -> None:
        """Score with ``threads`` concurrent batches from now on (``None``: every core); scores do not change.

        The ONNX sessions run each call on one thread, so the number of calls at once is a setting
        of the caller, not of the loaded model: a Spark worker that loaded the scorer for one job
        reuses it for the next, whatever that job's threads per task.
        """
        from nlp.scoring.onnx_backend import workers

        for enc in (self._onnx, self._onnx_fp32):
            if enc is not None:
                enc.workers = workers(threads)
        if threads and self.backend == "torch":
            import torch

            torch.set_num_threads(threads)
        if self.cascade is not None:
            self.cascade.set_threads(threads)

    @property
    def labels(self) -> dict[str, list[str]]:
        return self.tasks

    @classmethod
    def load(cls, model_dir: str | os.PathLike | None = None, base: str | None = None, **kw) -> Scorer:
        """Load a scorer model directory (default: the shipped model); clear errors if it is missing or broken.

        ``backend`` (``None`` or absent) defaults to ``$NLP_BACKEND`` or ``auto`` (ONNX Runtime when installed).
        """
        kw["backend"] = kw.get("backend") or os.environ.get("NLP_BACKEND") or "auto"
        from nlp.artifacts.config import ADAPTER_NAME, CONFIG_NAME
        from nlp.artifacts.sparse import CharTfidfClassifier

        d = Path(model_dir) if model_dir else default_model_dir()
        if not d.is_dir():
            raise ModelError(f"model directory {d} not found; pass model_dir=DIR with a directory made by `nlp train sentiment`")
        for name in (CONFIG_NAME, ADAPTER_NAME):
            if not (d / name).exists():
                raise ModelError(f"model directory {d} lacks {name}; expected a directory made by `nlp train sentiment` (config.json + adapter.safetensors)")
        try:
            cfg = json.loads((d / CONFIG_NAME).read_text())
        except json.JSONDecodeError as exc:
            raise ModelError(f"{d / CONFIG_NAME} is not valid JSON ({exc}); re-train or restore the model directory") from exc
        model, cache_key = _graph_model(d, cfg, base, kw)
        if model is not None:
            raw = cfg
        else:
            model, raw = _torch_model(d, cfg, base)
        sparse = {}
        blends = {}
        shared = sparse_dir(d, cfg)
        for task in model.config.tasks:
            for where in (d, shared):
                if CharTfidfClassifier.exists(where, prefix=f"{task}_"):
                    sparse[task] = CharTfidfClassifier.load(where, prefix=f"{task}_")
                    break
        if (d / "blend.safetensors").exists():
            from safetensors.numpy import load_file

            bw = load_file(str(d / "blend.safetensors"))
            for task in sparse:
                if f"{task}.coef" in bw:
                    blends[task] = _Blend(bw[f"{task}.coef"].astype(np.float64), bw[f"{task}.intercept"].astype(np.float64))
        if cache_key is not None:
            kw.setdefault("cache_key", cache_key)
        elif _wants_onnx(kw["backend"]):
            from nlp.artifacts.config import resolve_base
            from nlp.scoring.onnx_backend import model_key

            base_dir = Path(resolve_base(model.config.base))
            kw.setdefault("cache_key", model_key(d, base_dir if base_dir.is_dir() else None))
        return cls(model, sparse=sparse, blends=blends, meta=raw, **kw)

    def windows(self, texts: list[str]) -> Windows:
        """The token ids the encoder reads of each text: one window, or for a long text several.

        A text longer than the model's length (``max_length`` tokens) is split into sentences
        (:data:`SENTENCE_SPLITTER`), packed in order into windows of up to ``max_length`` tokens; a sentence longer than a window
        is cut between tokens. At most :data:`MAX_WINDOWS` windows per text (``cut`` marks the rest).
        Colloquial spellings are standardised first where :data:`SPELLING` says so.
        """
        if self.spelling != "off":
            from nlp.text.spelling import standardize

            texts = standardize(texts)
        ids = self.model.encode_ids(texts)
        max_len = self.model.config.max_length
        counts = [1] * len(texts)
        cut = [False] * len(texts)
        maybe_long = [i for i, x in enumerate(ids) if len(x) >= max_len]
        if not maybe_long:
            return Windows(ids, counts, cut)
        pieces = self._window_texts([texts[i] for i in maybe_long])
        extra: dict[int, list[list[int]]] = {}
        for i, (parts, was_cut) in zip(maybe_long, pieces):
            if len(parts) > 1:
                extra[i] = self.model.encode_ids(parts)
                counts[i] = len(parts)
            cut[i] = was_cut
        out: list[list[int]] = []
        for i, x in enumerate(ids):
            out.extend(extra.get(i, [x]))
        return Windows(out, counts, cut)

    def _sentence_bounds(self, texts: list[str]) -> list[list[tuple[int, int]]]:
        """(start, end) of each sentence of each text: Kiwi's sentences, or the rules of :data:`_SENTENCE_END`."""
        if self.sentence_splitter == "kiwi":
            from nlp.text.kiwi import get_kiwi

            return [[(s.start, s.end) for s in sents] for sents in get_kiwi().split_into_sents(texts)]
        out = []
        for text in texts:
            bounds, start = [], 0
            for m in _SENTENCE_END.finditer(text):
                if m.start() > start:
                    bounds.append((start, m.start()))
                start = m.end()
            if start < len(text):
                bounds.append((start, len(text)))
            out.append(bounds)
        return out

    def _window_texts(self, texts: list[str]) -> list[tuple[list[str], bool]]:
        """Each long text as window texts of whole sentences (sentences longer than a window are cut between tokens)."""
        tok = self._plain_tokenizer()
        overhead = len(self.model.encode_ids([""])[0])
        budget = max(self.model.config.max_length - overhead - 2, 8)  # 2 spare: joining sentences can add a token
        results = []
        for text, bounds in zip(texts, self._sentence_bounds(texts)):
            spans: list[tuple[int, int, int]] = []  # (start, end, tokens) of sentence pieces that fit a window
            bounds = bounds or [(0, len(text))]
            for (a, b), enc in zip(bounds, tok.encode_batch([text[a:b] for a, b in bounds])):
                offs = [o for o in enc.offsets if o[1] > o[0]]
                if len(offs) <= budget:
                    spans.append((a, b, len(offs)))
                    continue
                for k in range(0, len(offs), budget):  # one very long sentence: cut between tokens
                    chunk = offs[k : k + budget]
                    spans.append((a + chunk[0][0], a + chunk[-1][1], len(chunk)))
            windows: list[tuple[int, int]] = []
            used = 0
            for a, b, n in spans:
                if windows and used + n <= budget:
                    windows[-1] = (windows[-1][0], b)
                    used += n
                else:
                    windows.append((a, b))
                    used = n
            was_cut = len(windows) > MAX_WINDOWS
            results.append(([text[a:b].strip() for a, b in windows[:MAX_WINDOWS]], was_cut))
        return results

    def _plain_tokenizer(self):
        """The model's tokenizer without prefix, special tokens or truncation (to count sentence tokens)."""
        tok = getattr(self, "_plain_tok", None)
        if tok is None:
            from tokenizers import Tokenizer

            tok = Tokenizer.from_str(self.model.tokenizer.backend_tokenizer.to_str())
            tok.no_truncation()
            tok.no_padding()
            tok.post_processor = None
            self._plain_tok = tok
        return tok

    def encode(
        self,
        texts: list[str],
        want_embeddings: bool = False,
        show_progress_bar: bool | None = None,
        token_ids: list[list[int]] | None = None,
        fp32: bool = False,
        batch_groups: Sequence[int] | np.ndarray | None = None,
    ):
        """Encoder logits per task (and pooled embeddings), batched by length: one row per token-id list.

        ``token_ids``: the texts' ``model.encode_ids`` output (or a :class:`Windows`' ids), when it was
        computed ahead. ``fp32``: use the fp32 graph of an int8 scorer (the re-check).
        ``batch_groups``: one group number per text; no batch mixes groups, so each group gets the
        batches (and, on int8, whose activation scales depend on the batch, the scores) that a call
        with that group's texts alone would give.
        """
        ids = self.model.encode_ids(texts) if token_ids is None else token_ids
        if token_ids is not None and len(ids) != len(texts):
            raise ValueError(f"token_ids has {len(ids)} rows for {len(texts)} texts")
        if batch_groups is not None and len(batch_groups) != len(ids):
            raise ValueError(f"batch_groups has {len(batch_groups)} entries for {len(ids)} texts")
        return self._encode_ids(ids, want_embeddings, show_progress_bar, fp32, batch_groups)

    def _encode_ids(self, ids: list[list[int]], want_embeddings: bool, show_progress_bar: bool | None, fp32: bool = False, batch_groups=None):
        n = len(ids)
        logits = {t: np.zeros((n, len(lab)), dtype=np.float32) for t, lab in self.tasks.items()}
        emb = np.zeros((n, self.model.encoder.config.hidden_size), dtype=np.float32) if want_embeddings else None
        # batches of equal token counts: sorted by characters, a quarter of each batch was padding (docs/decisions.md)
        lengths = np.asarray([len(x) for x in ids], dtype=np.int64)
        from tqdm.auto import tqdm

        if show_progress_bar is None:
            show_progress_bar = logger.getEffectiveLevel() <= logging.INFO and n > 5 * self.batch_size
        if batch_groups is None:
            order = np.argsort(lengths, kind="stable")
            groups = [order[start : start + self.batch_size] for start in range(0, n, self.batch_size)]
        else:
            g = np.asarray(batch_groups, dtype=np.int64)
            order = np.lexsort((np.arange(n), lengths, g))  # by group, then length, then position: a stable sort per group
            groups = []
            for run in np.split(order, np.flatnonzero(np.diff(g[order])) + 1) if n else []:
                groups += [run[start : start + self.batch_size] for start in range(0, len(run), self.batch_size)]
        padded = (self.model.pad_ids([ids[i] for i in idx]) for idx in groups)

        def torch_batches():
            import torch

            with torch.inference_mode():
                for batch in padded:
                    pooled_t, out_t = self.model({k: torch.from_numpy(v) for k, v in batch.items()})
                    yield pooled_t.float().numpy(), {t: v.float().numpy() for t, v in out_t.items()}

        onnx = self._onnx_fp32 if fp32 and self._onnx_fp32 is not None else self._onnx
        results = onnx.map(padded) if onnx is not None else torch_batches()
        for idx, (pooled, out) in tqdm(zip(groups, results), total=len(groups), disable=not show_progress_bar, desc="score", mininterval=2):
            for t, v in out.items():
                if t in logits:  # a head dropped after loading is not scored
                    logits[t][idx] = v
            if emb is not None:
                emb[idx] = pooled
        return logits, emb

    def predict(
        self,
        texts: list[str],
        want_embeddings: bool = False,
        use_sparse: bool = True,
        show_progress_bar: bool | None = None,
        token_ids: list[list[int]] | None = None,
        windows: Windows | None = None,
    ) -> dict[str, np.ndarray]:
        """Probabilities per task (``{task: (n, k)}``), plus ``"embeddings"`` when asked.

        Long texts are read in full, window by window (:meth:`windows`), and their windows'
        probabilities combined by :data:`WINDOW_RULE`; the char models read the whole text.
        ``windows`` (or plain ``token_ids``, one list per text) may be computed ahead.

        The label order is :attr:`labels`. Empty input gives empty arrays.
        """
        if isinstance(texts, str):
            raise TypeError("predict takes a list of texts")
        texts = list(texts)
        if self.cascade is not None and want_embeddings:
            return self.cascade.predict(texts, want_embeddings, use_sparse, show_progress_bar, token_ids, windows)
        if windows is None:
            if token_ids is not None:
                if len(token_ids) != len(texts):
                    raise ValueError(f"token_ids has {len(token_ids)} rows for {len(texts)} texts")
                windows = Windows(list(token_ids), [1] * len(texts), [False] * len(texts))
            else:
                windows = self.windows(texts)
        elif len(windows) != len(texts):
            raise ValueError(f"windows cover {len(windows)} texts, not {len(texts)}")
        wanted = [t for t in self.tasks if use_sparse and t in self.sparse and t in self.blends] if texts else []
        if wanted and self._onnx is not None:
            # the char models run in Python while ONNX Runtime (which releases the GIL) encodes:
            # on 2 cores that fills the core the encoder leaves idle between batches
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(1) as pool:
                sparse_job = pool.submit(self._sparse_probs, self._sparse_texts(texts), wanted)
                probs, emb = self._encoder_probs(windows, want_embeddings, show_progress_bar)
                sparse = sparse_job.result()
        else:
            probs, emb = self._encoder_probs(windows, want_embeddings, show_progress_bar)
            sparse = self._sparse_probs(self._sparse_texts(texts), wanted)
        out = self._blend(probs, sparse)
        watched = [p for t, p in out.items() if self.recheck_tasks is None or t in self.recheck_tasks]
        if self.recheck_margin > 0 and texts and watched:
            # int8 noise flips labels only near a boundary: score those texts again in fp32
            margin = _closest_call(watched)
            again = np.flatnonzero(margin < self.recheck_margin)
            if len(again):
                probs2, emb2 = self._encoder_probs(windows.select(again), want_embeddings, False, fp32=True)
                redo = self._blend(probs2, {t: v[again] for t, v in sparse.items()})
                for task, p in redo.items():
                    out[task][again] = p
                if emb is not None:
                    emb[again] = emb2
        if self.intent_rules and "intent" in out:
            from nlp.scoring.intent_override import apply_intent_rules

            out["intent"] = apply_intent_rules(out["intent"], self.tasks["intent"], texts)
        if self.cascade is not None and texts and self.cascade_margin > 0:
            margin = _closest_call(out.values())
            again = np.flatnonzero(margin < self.cascade_margin)
            if len(again):
                redo = self.cascade.predict([texts[i] for i in again], use_sparse=use_sparse, show_progress_bar=False, windows=windows.select(again))
                for task in out:
                    out[task][again] = redo[task]
        if emb is not None:
            out["embeddings"] = emb
        return out

    def _encoder_probs(self, windows: Windows, want_embeddings: bool, show_progress_bar: bool | None, fp32: bool = False):
        """The encoder's probabilities per task, one row per text (windows combined), and pooled embeddings."""
        logits, emb = self._encode_ids(windows.ids, want_embeddings, show_progress_bar, fp32)
        probs = {t: aggregate_windows(_softmax(z.astype(np.float64)), windows, self.window_rule, t, self.tasks[t]) for t, z in logits.items()}
        if emb is not None and len(emb) != len(windows):
            emb = aggregate_windows(emb, windows, "tokens", "embeddings")
        return probs, emb

    def _blend(self, probs: dict[str, np.ndarray], sparse: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Encoder probabilities per task, blended with the char model where there is one."""
        out: dict[str, np.ndarray] = {}
        for task, p in probs.items():
            if task in sparse:
                p = self.blends[task](p, sparse[task])
            out[task] = p.astype(np.float32)
        return out

    def _sparse_texts(self, texts: list[str]) -> list[str]:
        if self.spelling != "all":
            return texts
        from nlp.text.spelling import standardize

        return standardize(texts)

    def _sparse_probs(self, texts: list[str], tasks: list[str]) -> dict[str, np.ndarray]:
        """Each task's char TF-IDF probabilities in the head's label order; texts are cut into n-grams once for all."""
        out: dict[str, np.ndarray] = {}
        ngrams: dict[tuple, object] = {}
        for task in tasks:
            sp = self.sparse[task]
            key = sp.analysis_key()
            if key not in ngrams:
                ngrams[key] = sp.analyse(texts)
            ps = sp.predict_proba(texts, ngrams=ngrams[key])
            out[task] = ps[:, [sp.classes_.index(lab) for lab in self.tasks[task]]]  # the head's class order
        return out

    def token_lengths(self, texts: list[str]) -> list[int]:
        enc = self.model.tokenizer([self.model.config.prefix + t for t in texts], add_special_tokens=True, truncation=False)
        return [len(x) for x in enc["input_ids"]]
