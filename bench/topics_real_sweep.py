"""Topic settings on the real aspect set: `nlp evaluate topics --real-aspects` for several settings, embeddings cached.

Each text is embedded once per encoder (fp32 or int8) and kept in a cache file, so settings that only change
the clustering, the generic rule or the names cost no encoder time. Masked texts (product names replaced) are
cached as texts of their own. Choose settings on chunk A; report chunk B once, at the end.

    python bench/topics_real_sweep.py --labelled runs/real_aspects.csv --chunk A --cache /tmp/real_emb.npz \\
        --settings '[{"generic_group": false, "names": false}, {}]'
    python bench/topics_real_sweep.py ... --max-tokens 64 --cache /tmp/real_emb_64.npz   # the encoder reads 64 tokens per text

A setting is a dict of TopicModel options, plus ``"names": false`` (fit without the product names) and
``"fit_sample": N``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))


class CachedEmbedder:
    """``encode`` through the topic encoder, remembering every text in a cache file."""

    def __init__(self, path: Path, int8: bool, max_tokens: int | None = None) -> None:
        self.path, self.int8, self.max_tokens = path, int8, max_tokens
        self.memory: dict[str, np.ndarray] = {}
        self.inner = None
        self.dirty = False
        if path.is_file():
            z = np.load(path, allow_pickle=False)
            self.memory = dict(zip(z["texts"].tolist(), z["vectors"]))

    def encode(self, texts, **kwargs) -> np.ndarray:
        todo = [t for t in dict.fromkeys(texts) if t not in self.memory]
        if todo:
            if self.inner is None:
                from nlp.topics.embedder import ProjectEmbedder

                self.inner = ProjectEmbedder(None, int8=self.int8)
                if self.max_tokens:  # read fewer tokens per text than the encoder's own limit
                    self.inner._load().max_seq_length = self.max_tokens
            t0 = time.perf_counter()
            out = self.inner.encode(todo)
            print(f"embedded {len(todo)} texts in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
            self.memory.update(zip(todo, np.asarray(out, dtype=np.float32)))
            self.dirty = True
        return np.stack([self.memory[t] for t in texts]) if texts else np.zeros((0, 384), np.float32)

    def save(self) -> None:
        if self.dirty:
            texts = list(self.memory)
            np.savez(self.path, texts=np.array(texts), vectors=np.stack([self.memory[t] for t in texts]))
            self.dirty = False


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--labelled", required=True, type=Path, help="the materialised real aspect set (outside the repo)")
    ap.add_argument("--chunk", default="A", choices=["A", "B", "all"])
    ap.add_argument("--cache", required=True, type=Path, help="embedding cache file (.npz, outside the repo)")
    ap.add_argument("--int8", action="store_true")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--max-tokens", type=int, default=None, help="tokens the topic encoder reads per text (default: its own, 128); use a cache file per value")
    ap.add_argument("--taxonomies", default=None, help="comma-separated (default: all)")
    ap.add_argument("--settings", default="[{}]", help="JSON list of settings")
    ap.add_argument("--out", type=Path, default=None, help="write the reports as JSON lines")
    args = ap.parse_args()
    from nlp.topics.evaluate_real import evaluate_real_aspects, format_real_report

    emb = CachedEmbedder(args.cache, args.int8, args.max_tokens)
    taxes = args.taxonomies.split(",") if args.taxonomies else None
    for setting in json.loads(args.settings):
        opts = dict(setting)
        use_names = opts.pop("names", True)
        fit_sample = opts.pop("fit_sample", None)
        t0 = time.perf_counter()
        report = evaluate_real_aspects(
            args.labelled, chunk=args.chunk, seed=args.seed, embedder=emb, fit_sample=fit_sample, taxonomies=taxes,
            product_names=use_names, **opts,
        )
        emb.save()
        print(f"\n## {json.dumps(setting)}  chunk {args.chunk}, seed {args.seed}, int8 {args.int8}, {time.perf_counter() - t0:.0f} s")
        print(format_real_report(report))
        for tax, r in report["taxonomies"].items():
            print(f"{tax}: " + " | ".join(f"{t['topic']}:{t['size']} {t['label']}" for t in r["topics"][:14]))
        sys.stdout.flush()
        if args.out:
            with args.out.open("a", encoding="utf-8") as f:
                f.write(json.dumps({"setting": setting, "chunk": args.chunk, "seed": args.seed, "int8": args.int8, **report}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
