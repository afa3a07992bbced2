"""``nlp evaluate topics``: our topic set-up against BERTopic's defaults, on the same documents and embeddings.

Two corpora, embedded once with the project's encoder:

* **aspects** — ``corpora/aspects/aspects.csv`` (480 shopping and hotel reviews, one
  gold ``aspect`` each): NMI between topics and aspects, with the outliers as one more
  cluster and with them left out, and the outlier share;
* **mixed** — those reviews plus film reviews sampled from the NSMC crawl, each labelled
  with its domain (shopping, hotel, film): domain purity, the share of documents whose
  topic's majority domain is their own (over the documents with a topic, and over all
  with the outliers as one cluster).

On both, the keywords are scored: **topic diversity** (unique share of the top-10
keywords over all topics) and **keyword validity** (share of keywords that Kiwi reads as
content morphemes — nouns, roots, foreign words, verb/adjective lemmas — with no
particle or ending), plus the **duplicate-stem share** (keywords of a topic that repeat
the stem of an earlier one, e.g. ``피부가`` after ``피부에``).

"BERTopic default" is ``BERTopic(language="multilingual")`` with its default
``CountVectorizer``, HDBSCAN (``min_cluster_size=10``) and UMAP settings, only seeded
(``random_state``) so that runs repeat; ``language="english"`` would strip all Hangul
from the keywords (its preprocessing keeps ``[A-Za-z0-9 ]`` only).

Example:
    >>> report = evaluate_topics(seed=42)  # doctest: +SKIP
    >>> print(format_report(report))  # doctest: +SKIP
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

logger = logging.getLogger(__name__)

__all__ = [
    "evaluate_topics",
    "format_report",
    "keyword_validity",
    "topic_diversity",
    "nmi_scores",
    "domain_purity",
    "DEFAULT_ASPECTS",
    "DEFAULT_FILM",
]

_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_ASPECTS = _ROOT / "corpora" / "aspects" / "aspects.csv"
# the shared corpora live next to the project root (see ../shared/corpora/README.md)
DEFAULT_FILM = _ROOT.parent / "shared" / "corpora" / "nsmc_reviews.parquet"

_CONTENT = frozenset({"NNG", "NNP", "XR", "SL", "SH", "W_HASHTAG"})
_PREDICATE = frozenset({"VV", "VA", "VV-I", "VA-I", "VV-R", "VA-R"})
_DERIVING = frozenset({"XSA", "XSV", "XSN"})


# -- keyword measures ----------------------------------------------------------------------
def topic_diversity(keywords: Mapping[int, Sequence[str]], top_n: int = 10) -> float:
    """Unique share of the top-``top_n`` keywords over all topics (the outlier topic ``-1`` left out).

    Example:
        >>> topic_diversity({0: ["배송", "택배"], 1: ["배송", "가격"]})
        0.75
    """
    words = [w for t, kws in keywords.items() if t != -1 for w in list(kws)[:top_n] if w]
    return len(set(words)) / len(words) if words else float("nan")


def _read_part(morphemes) -> tuple[bool, str | None]:
    """Whether one space-separated keyword part is a content morpheme (or lemma), and its stem."""
    if not morphemes:
        return False, None
    tags = [m.tag for m in morphemes]
    stem = None
    for i, m in enumerate(morphemes):
        if m.tag in _CONTENT:
            stem = stem or m.form
        elif m.tag in _PREDICATE:
            stem = stem or m.form + "다"
        elif m.tag in _DERIVING and i > 0:
            continue
        elif (
            m.form == "다"
            and m.tag.startswith("E")
            and i == len(morphemes) - 1
            and i > 0
            and (tags[i - 1] in _PREDICATE or tags[i - 1] in _DERIVING)
        ):
            continue  # the dictionary form of a verb or adjective: 빠르/VA 다/EF
        else:
            return False, stem
    return stem is not None, stem


def keyword_validity(keywords: Mapping[int, Sequence[str]], top_n: int = 10, tokenizer=None) -> dict[str, float]:
    """How many keywords are clean Korean content words, and how many repeat a stem.

    A keyword (each of its space-separated parts) is valid when Kiwi reads it as content
    morphemes only: nouns, roots, foreign words, hanja, hashtags, or a verb/adjective in
    its dictionary form (``빠르다``); a particle (``배송이``), an ending (``빨라요``), an
    adverb or a symbol makes it invalid. A single-word keyword repeats a stem when an
    earlier keyword of the same topic has the same one (``피부에`` after ``피부가``).

    Returns:
        ``valid_share``, ``duplicate_stem_share`` and ``n_keywords`` (the outlier topic left out).

    Example:
        >>> keyword_validity({0: ["피부", "피부가", "빠르다", "빨라요"]})  # doctest: +SKIP
        {'valid_share': 0.5, 'duplicate_stem_share': 0.25, 'n_keywords': 4}
    """
    if tokenizer is None:
        from nlp.text.kiwi import KiwiTokenizer

        tokenizer = KiwiTokenizer()
    lists = {t: [w for w in list(kws)[:top_n] if w] for t, kws in keywords.items() if t != -1}
    parts = sorted({p for kws in lists.values() for w in kws for p in w.split()})
    analyses = dict(zip(parts, tokenizer.analyse(parts))) if parts else {}
    read = {p: _read_part(analyses[p].morphemes) for p in parts}
    n = valid = dup = 0
    for kws in lists.values():
        seen: set[str] = set()
        for w in kws:
            ps = w.split()
            n += 1
            valid += all(read[p][0] for p in ps)
            if len(ps) == 1:
                stem = read[ps[0]][1]
                if stem is not None and stem in seen:
                    dup += 1
                if stem is not None:
                    seen.add(stem)
    return {
        "valid_share": valid / n if n else float("nan"),
        "duplicate_stem_share": dup / n if n else float("nan"),
        "n_keywords": n,
    }


# -- cluster measures ----------------------------------------------------------------------
def nmi_scores(labels: Sequence[str], topics: Sequence[int]) -> dict[str, float]:
    """NMI with the outliers as one more cluster, NMI over the documents with a topic, and the outlier share.

    Example:
        >>> r = nmi_scores(["a", "a", "b", "b"], [0, 0, 1, -1])
        >>> round(r["nmi_without_outliers"], 3), r["outlier_share"]
        (1.0, 0.25)
    """
    from sklearn.metrics import normalized_mutual_info_score

    y = np.asarray(labels)
    t = np.asarray(topics)
    keep = t != -1
    return {
        "nmi_with_outliers": float(normalized_mutual_info_score(y, t)),
        "nmi_without_outliers": float(normalized_mutual_info_score(y[keep], t[keep])) if keep.any() else float("nan"),
        "outlier_share": float((~keep).mean()),
    }


def domain_purity(domains: Sequence[str], topics: Sequence[int]) -> dict[str, float]:
    """Share of documents whose topic's majority domain is theirs: over the documents with a topic, and over all (outliers as one cluster).

    Example:
        >>> domain_purity(["film", "film", "hotel", "hotel"], [0, 0, 0, 1])["purity"]
        0.75
    """
    df = pd.DataFrame({"d": list(domains), "t": list(topics)})

    def purity(frame: pd.DataFrame) -> float:
        if frame.empty:
            return float("nan")
        majority = frame.groupby("t")["d"].agg(lambda s: s.value_counts().index[0])
        return float((frame["d"].to_numpy() == majority.loc[frame["t"]].to_numpy()).mean())

    return {"purity": purity(df[df["t"] != -1]), "purity_all": purity(df), "outlier_share": float((df["t"] == -1).mean())}


# -- the two set-ups -------------------------------------------------------------------------
def _fit_ours(docs: list[str], emb: np.ndarray, seed: int, embedder) -> tuple[np.ndarray, dict[int, list[str]], dict[int, str]]:
    from nlp.topics.model import TopicModel

    model = TopicModel(embedder, seed=seed).fit(docs, emb)
    return model.topics_, model.keywords_, model.labels_


def _fit_default(docs: list[str], emb: np.ndarray, seed: int) -> tuple[np.ndarray, dict[int, list[str]], dict[int, str]]:
    from bertopic import BERTopic
    from umap import UMAP

    umap_model = UMAP(
        n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", low_memory=False, random_state=seed, n_jobs=1
    )
    bt = BERTopic(language="multilingual", umap_model=umap_model)
    topics, _ = bt.fit_transform(docs, embeddings=emb)
    keywords = {int(t): [w for w, _ in (bt.get_topic(t) or []) if w] for t in sorted(set(topics))}
    return np.asarray(topics, dtype=int), keywords, {int(k): v for k, v in bt.topic_labels_.items()}


def _load_film(path: Path, n: int, seed: int) -> list[str]:
    if not path.is_file():
        raise FileNotFoundError(f"film reviews {path} not found; pass film=PATH (the NSMC parquet of ../shared/corpora)")
    df = pd.read_parquet(path, columns=["review"])
    text = df["review"].astype("string").str.strip()
    text = text[text.str.len() >= 10].drop_duplicates()
    if len(text) < n:
        raise ValueError(f"{path} has only {len(text)} usable film reviews; lower n_film=")
    return text.sample(n, random_state=seed).tolist()


def evaluate_topics(
    aspects: str | os.PathLike = DEFAULT_ASPECTS,
    film: str | os.PathLike = DEFAULT_FILM,
    n_film: int = 500,
    seed: int = 42,
    model_dir: str | os.PathLike | None = None,
    embedder=None,
    embeddings: Mapping[str, np.ndarray] | None = None,
    int8: bool = False,
) -> dict[str, Any]:
    """Compare our topic set-up with BERTopic's defaults on the aspects and the mixed corpus.

    Args:
        aspects: the aspect-labelled reviews (``text``, ``aspect``, ``domain``).
        film: the NSMC film reviews (``review``).
        n_film: film reviews sampled into the mixed corpus.
        seed: sampling and UMAP seed.
        model_dir: encoder (default: the base e5; a fine-tuned scorer only when given).
        embedder: an object with ``encode`` instead of ``model_dir`` (tests).
        embeddings: precomputed ``{"aspects": ..., "film": ...}`` rows for the texts.
        int8: embed with the int8 (smoothed) topic encoder on ONNX Runtime.

    Returns:
        A JSON-friendly dict: settings, and per corpus and set-up the measures and keywords.
    """
    from nlp.text.normalize import normalize
    from nlp.text.pii import mask_pii
    from nlp.topics.embedder import ProjectEmbedder

    t0 = time.perf_counter()
    asp = pd.read_csv(aspects)
    missing = {"text", "aspect", "domain"} - set(asp.columns)
    if missing:
        raise ValueError(f"{aspects} lacks column(s) {sorted(missing)}; expected the aspects datasheet's columns")
    film_texts = _load_film(Path(film), n_film, seed)
    prep = lambda texts: [m for m, _ in mask_pii(normalize(list(texts)))]  # noqa: E731
    asp_docs, film_docs = prep(asp["text"].astype(str)), prep(film_texts)
    emb_model = embedder if embedder is not None else ProjectEmbedder(str(model_dir) if model_dir else None, int8=int8)
    if embeddings is not None:
        e_asp, e_film = np.asarray(embeddings["aspects"], np.float32), np.asarray(embeddings["film"], np.float32)
    else:
        e_asp = np.asarray(emb_model.encode(asp_docs), np.float32)
        e_film = np.asarray(emb_model.encode(film_docs), np.float32)
    t_embed = time.perf_counter() - t0
    source = (emb_model.source or "base e5") if isinstance(emb_model, ProjectEmbedder) else "injected"

    corpora = {
        "aspects": (asp_docs, e_asp, {"aspect": asp["aspect"].astype(str).tolist()}),
        "mixed": (
            asp_docs + film_docs,
            np.vstack([e_asp, e_film]),
            {"domain": asp["domain"].astype(str).tolist() + ["film"] * len(film_docs)},
        ),
    }
    results: dict[str, Any] = {}
    for name, (docs, emb, gold) in corpora.items():
        results[name] = {}
        for setup, fit in (
            ("ours", lambda d, e: _fit_ours(d, e, seed, emb_model)),
            ("bertopic_default", lambda d, e: _fit_default(d, e, seed)),
        ):
            t1 = time.perf_counter()
            topics, keywords, labels = fit(docs, emb)
            r: dict[str, Any] = {"n_topics": len(set(topics.tolist()) - {-1}), "seconds": round(time.perf_counter() - t1, 1)}
            if "aspect" in gold:
                r.update(nmi_scores(gold["aspect"], topics))
            if "domain" in gold:
                r.update(domain_purity(gold["domain"], topics))
            r["topic_diversity"] = topic_diversity(keywords)
            r.update(keyword_validity(keywords))
            sizes = pd.Series(topics).value_counts()
            r["topics"] = [
                {
                    "topic": int(t),
                    "size": int(sizes.get(t, 0)),
                    "label": labels.get(int(t), ""),
                    "keywords": keywords.get(int(t), [])[:10],
                }
                for t in sorted(keywords)
            ]
            results[name][setup] = r
            logger.info("%s / %s: %d topics in %.1f s", name, setup, r["n_topics"], r["seconds"])
    return {
        "settings": {
            "aspects": str(aspects),
            "film": str(film),
            "n_aspects": len(asp_docs),
            "n_film": len(film_docs),
            "seed": seed,
            "embedding_model": source,
            "embedding_seconds": round(t_embed, 1),
            "int8": int8,
        },
        "results": results,
    }


_ROWS = [
    ("aspects", "n_topics", "topics", "{:d}"),
    ("aspects", "outlier_share", "outlier share", "{:.2f}"),
    ("aspects", "nmi_with_outliers", "NMI vs aspect (outliers = 1 cluster)", "{:.3f}"),
    ("aspects", "nmi_without_outliers", "NMI vs aspect (outliers left out)", "{:.3f}"),
    ("aspects", "topic_diversity", "topic diversity (top-10)", "{:.3f}"),
    ("aspects", "valid_share", "keyword validity", "{:.3f}"),
    ("aspects", "duplicate_stem_share", "duplicate-stem keywords", "{:.3f}"),
    ("mixed", "n_topics", "topics", "{:d}"),
    ("mixed", "outlier_share", "outlier share", "{:.2f}"),
    ("mixed", "purity", "domain purity (docs with a topic)", "{:.3f}"),
    ("mixed", "purity_all", "domain purity (outliers = 1 cluster)", "{:.3f}"),
    ("mixed", "topic_diversity", "topic diversity (top-10)", "{:.3f}"),
    ("mixed", "valid_share", "keyword validity", "{:.3f}"),
    ("mixed", "duplicate_stem_share", "duplicate-stem keywords", "{:.3f}"),
]


def _cell(value: Any, fmt: str) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "—"
    return fmt.format(value)


def format_report(report: Mapping[str, Any]) -> str:
    """The side-by-side table (plain text, Markdown-compatible)."""
    res = report["results"]
    lines = ["| corpus | measure | ours | BERTopic default |", "|---|---|---|---|"]
    for corpus, key, name, fmt in _ROWS:
        ours, base = res[corpus]["ours"].get(key), res[corpus]["bertopic_default"].get(key)
        lines.append(f"| {corpus} | {name} | {_cell(ours, fmt)} | {_cell(base, fmt)} |")
    return "\n".join(lines)
