"""The topic model: BERTopic over the project's embeddings, tuned for short Korean reviews.

:class:`TopicModel` is a scikit-learn shaped estimator around ``bertopic.BERTopic``:

* **embeddings** come from the project's encoder (:class:`~nlp.topics.embedder.ProjectEmbedder`:
  the base e5; a fine-tuned scorer only when given) or are handed over precomputed
  (``fit(docs, embeddings)``), so scoring and topics never embed a text twice;
* **clusters**: UMAP (cosine, 5 dimensions, seeded) then HDBSCAN with a small
  ``min_samples``; on short reviews that finds the aspect-sized groups that BERTopic's
  defaults (``min_samples = min_cluster_size``) fold into a few large ones. The minimum
  topic size grows with the corpus (about 0.4·√n, between 5 and 50) unless given;
* **outliers**: HDBSCAN leaves many short reviews unassigned; each goes to its nearest
  topic (cosine to the topic centroids) when it is at least as close as the least
  typical 5 % of that clustering's own members, and stays ``-1`` otherwise (``transform``
  uses the same bar, so about 5 % of typical training documents would read as outliers there);
* **keywords** come from Kiwi morphemes (:mod:`nlp.topics.vectorizer`) weighted by
  c-TF-IDF, so they read as Korean words and stems (``배송``, ``사이즈 크다``), with
  a label made of the first distinct ones.

``transform`` assigns by cosine similarity to the topic centroids, the same rule a
reloaded model uses, so predictions do not change across save and load. ``topic_prob``
is the softmax of those similarities (temperature :data:`PROB_TEMPERATURE`) at the
document's topic.

Example:
    >>> model = TopicModel(seed=42).fit(docs, embeddings=emb)  # doctest: +SKIP
    >>> model.keywords_[0][:3]  # doctest: +SKIP
    ['배송', '출고', '도착']
    >>> model.save("out/model"); TopicModel.load("out/model").transform(docs, emb)  # doctest: +SKIP
"""

from __future__ import annotations

import json
import logging
import math
import warnings
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any, Literal

import numpy as np

from nlp.topics.embedder import ProjectEmbedder, TextEmbedder
from nlp.topics.generic import GENERIC_TOPIC
from nlp.topics.labels import make_label
from nlp.topics.vectorizer import DOC_SEPARATOR, DOMAIN_NOISE, kiwi_vectorizer

logger = logging.getLogger(__name__)


class TooFewDocumentsError(ValueError):
    """Too few documents (after the generic group is set aside) for topics of the minimum size."""


__all__ = [
    "TopicModel",
    "TooFewDocumentsError",
    "make_label",
    "NotFittedError",
    "PROB_TEMPERATURE",
    "MAX_AUTO_TOPICS",
    "MAX_TOPIC_SHARE",
    "TOPIC_CONFIG_NAME",
]

TOPIC_CONFIG_NAME = "nlp_topics.json"
MODEL_CARD_NAME = "README.md"
MODEL_VERSION = 2  # 2: the generic group (-2) and product names
PROB_TEMPERATURE = 0.01
#: ``nr_topics="auto"`` merges the closest topics until at most this many remain.
MAX_AUTO_TOPICS = 30
#: c-TF-IDF words ranked per topic; the label is chosen among them (see :mod:`nlp.topics.labels`).
LABEL_CANDIDATES = 30
#: The default ``max_topic_share``: no topic above this share of the clustered documents when it can be split.
MAX_TOPIC_SHARE = 0.15
#: A topic above ``max_topic_share`` is re-clustered only when it holds this many minimum-size topics.
SPLIT_MIN_TOPICS = 4
#: ``knn="auto"``: UMAP's neighbour graph is exact (blocked matrix products) up to this many documents.
EXACT_KNN_MAX = 50_000
#: Cells of the similarity matrix computed at once by the exact neighbour search (8M floats: 32 MB a block).
KNN_BLOCK_CELLS = 8_000_000
GIANT_TOPIC_SHARE = 0.5  # cluster_selection="auto": a topic above this share of the documents means eom selected the root
Representation = Literal["ctfidf", "mmr", "keybert"]


class NotFittedError(ValueError):
    """The model was used before ``fit`` (or ``load``)."""


def _most_common(texts: Sequence[str], n: int) -> list[int]:
    """Indices of the ``n`` most frequent distinct texts (the first occurrence of each), most frequent first."""
    from collections import Counter

    first: dict[str, int] = {}
    for i, t in enumerate(texts):
        first.setdefault(t.strip(), i)
    counts = Counter(t.strip() for t in texts)
    return [first[t] for t, _ in counts.most_common(n)]


@cache
def cache_umap_compilation() -> int:
    """Let Numba keep UMAP's compiled functions on disk, so a new process loads them instead of compiling.

    Most of UMAP's Numba functions are not declared cacheable: every process compiled them again (about 5 s
    of a 7 s fit on 2,400 reviews here). Caching stores the same machine code (beside UMAP's sources, or in
    Numba's user cache when those are read-only), so results do not change. Runs once per process and
    returns how many functions were switched to caching (fewer where no cache location is writable).
    """
    import importlib

    n = 0
    for name in ("umap.umap_", "umap.layouts", "umap.spectral", "umap.utils"):
        try:
            mod = importlib.import_module(name)
        except ImportError:  # pragma: no cover - depends on the UMAP version
            continue
        for obj in list(vars(mod).values()):
            if hasattr(obj, "enable_caching") and type(getattr(obj, "_cache", None)).__name__ == "NullCache":
                try:
                    obj.enable_caching()
                except RuntimeError:  # no writable cache location: compile as before
                    return n
                n += 1
    return n


def exact_knn(x: np.ndarray, k: int, block_cells: int = KNN_BLOCK_CELLS) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` nearest rows of every row of unit-length ``x`` by cosine (itself first), as UMAP's graph wants it.

    Returns ``(indices, distances)``, each ``(n, k)``, nearest first, distance ``1 - cosine`` (clipped at 0);
    among the chosen neighbours, equal similarities are ordered by index. Each row is computed on its own,
    so the graph does not depend on the block size.
    """
    x = np.ascontiguousarray(x, dtype=np.float32)
    n = len(x)
    k = min(k, n)
    idx = np.empty((n, k), dtype=np.int32)
    dist = np.empty((n, k), dtype=np.float32)
    step = max(1, block_cells // max(n, 1))
    for s in range(0, n, step):
        sims = x[s : s + step] @ x.T
        rows = np.arange(len(sims))
        sims[rows, s + rows] = np.inf  # a row is its own nearest neighbour, whatever rounding says
        part = np.argpartition(sims, n - k, axis=1)[:, n - k :] if k < n else np.tile(np.arange(n), (len(sims), 1))
        vals = np.take_along_axis(sims, part, axis=1)
        order = np.lexsort((part, -vals), axis=1)
        idx[s : s + step] = np.take_along_axis(part, order, axis=1)
        d = 1.0 - np.take_along_axis(vals, order, axis=1)
        d[:, 0] = 0.0
        dist[s : s + step] = np.maximum(d, 0.0)
    return idx, dist


def _auto_min_topic_size(n_docs: int) -> int:
    return int(min(50, max(5, round(0.4 * math.sqrt(max(n_docs, 1))))))


def _normalise(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.clip(norms, 1e-12, None)


class TopicModel:
    """BERTopic with the project's embedder, Kiwi keywords and settings for short reviews.

    Args:
        embedding_model: what embeds texts when no embeddings are given: ``None`` for the
            scorer's installed model (else the base e5), a model directory (fine-tuned scorer,
            sentence-transformers or HF), or an object with ``encode(texts)``.
        nr_topics: ``None`` keeps the topics HDBSCAN finds; an int merges the closest ones
            (average-linkage on topic centres) until that many remain; ``"auto"`` does so only
            above :data:`MAX_AUTO_TOPICS` (BERTopic's own "auto" rule folds most short
            shopping reviews into one topic, so it is not used).
        min_topic_size: smallest topic (HDBSCAN ``min_cluster_size``); ``None`` scales with
            the corpus (about 0.4·√n, 5..50).
        min_samples: HDBSCAN ``min_samples``; ``None`` = ``max(2, min_topic_size // 3)``.
        n_neighbors: UMAP neighbourhood.
        n_components: UMAP output dimensions; ``None`` skips UMAP and clusters the unit-length
            embeddings as they are (low-dimensional embeddings, tiny corpora, tests).
        seed: UMAP seed (HDBSCAN is deterministic).
        cluster_selection: HDBSCAN's ``eom`` or ``leaf`` selection, or ``auto``: ``eom``, and
            ``leaf`` when ``eom`` puts more than :data:`GIANT_TOPIC_SHARE` of the documents into
            one topic. On 20k film reviews (one domain) ``eom`` gave 37 topics with seed 42 but
            2 topics holding 99.5% of the reviews with seed 43, or with the embeddings moved by
            1e-6: a stable cluster tree whose root wins the selection. ``leaf`` keeps the
            fine clusters, and ``nr_topics`` merges them down.
        top_n_words: keywords kept per topic.
        representation: ``ctfidf`` (c-TF-IDF order), ``mmr`` (c-TF-IDF re-ranked for
            diversity with the embedder) or ``keybert`` (BERTopic's KeyBERTInspired).
        diversity: MMR diversity (0..1).
        ngram_range: ``(1, 1)`` or ``(1, 2)`` (compounds and noun-predicate pairs).
        stopwords: extra words to drop from keywords.
        noise_domains: corpora whose boilerplate words to drop (``shopping``, ``hotel``, ``film``).
        reduce_outliers: move outliers to their nearest topic when close enough.
        outlier_quantile: an outlier joins a topic when its similarity is at least this
            quantile of the clustered documents' similarities to their own topic; 0 moves all.
        n_representatives: representative documents kept per topic.
        user_dict: extra Kiwi user dictionary for keywords; its words count as names (below).
        generic_group: put short generic praise, reactions and filler ("좋아요", "ㅋㅋ", "GOOD")
            into one group, :data:`~nlp.topics.generic.GENERIC_TOPIC` (``-2``), instead of
            clustering them (:mod:`nlp.topics.generic`).
        max_content_words: a review with at most this many content words is generic.
        names: product and brand names (the product column's values): their words
            (:func:`~nlp.topics.names.name_words`) are kept out of keywords, labels and the
            generic rule's content words.
        mask_names: replace those names with a placeholder in the texts the encoder embeds
            (embeddings handed over are used as they are).
        max_topic_share: no topic holds more than this share of the clustered documents when
            it can be helped: a larger one (of at least :data:`SPLIT_MIN_TOPICS` minimum-size
            topics) is re-clustered on its own (HDBSCAN leaf clusters), and the automatic merge
            (``nr_topics="auto"``) never joins topics beyond it; a number of topics asked for is
            reached regardless. ``None``: no limit.
        knn: the neighbour graph UMAP starts from. ``"exact"``: every document's nearest
            neighbours by cosine, from blocked matrix products (no approximation, and none of
            pynndescent's just-in-time compilation, about 30 s per process); ``"approx"``:
            UMAP's own pynndescent search; ``"auto"``: exact up to :data:`EXACT_KNN_MAX`
            documents.
        knn_min: with an exact graph, the documents below which UMAP is left to compute all
            distances itself (its small-data path, which calls a Numba metric once per pair:
            about 10 s on 2,400 documents here, plus its compilation). 0, the default: the exact
            graph at any size.

    Attributes (after ``fit``):
        topics_: topic per training document (``-1`` = outlier, ``-2`` = the generic group).
        probabilities_: ``topic_prob`` per training document.
        topic_sizes_: documents per topic.
        keywords_: topic → keywords, best first.
        labels_: topic → readable label.
        representative_docs_: topic → indices of the training documents closest to its centre.
        topic_embeddings_: topic centroids (rows for :attr:`topic_ids_`).
        topic_ids_: topic ids (without ``-1``), in the row order of :attr:`topic_embeddings_`.
        outlier_threshold_: the similarity below which ``transform`` says ``-1``.
        cluster_selection_: the HDBSCAN selection the topics came from (``eom`` or ``leaf``).
        generic_: whether each training document is in the generic group.
        name_words_: the keyword units of ``names`` (and of the user dictionary) kept out of keywords.
        bertopic_: the fitted ``BERTopic`` (over the clustered documents: the generic group left out).
    """

    def __init__(
        self,
        embedding_model: str | Path | TextEmbedder | None = None,
        *,
        nr_topics: int | Literal["auto"] | None = None,
        min_topic_size: int | None = None,
        min_samples: int | None = None,
        n_neighbors: int = 15,
        n_components: int | None = 5,
        seed: int = 42,
        cluster_selection: Literal["auto", "eom", "leaf"] = "auto",
        top_n_words: int = 10,
        representation: Representation = "ctfidf",
        diversity: float = 0.3,
        ngram_range: tuple[int, int] = (1, 2),
        stopwords: Sequence[str] = (),
        noise_domains: Sequence[str] = (),
        reduce_outliers: bool = True,
        outlier_quantile: float = 0.05,
        n_representatives: int = 5,
        user_dict: str | Path | None = None,
        generic_group: bool = True,
        max_content_words: int = 0,
        names: Sequence[str] = (),
        mask_names: bool = False,
        max_topic_share: float | None = MAX_TOPIC_SHARE,
        knn: Literal["auto", "exact", "approx"] = "auto",
        knn_min: int = 0,
    ) -> None:
        if nr_topics is not None and nr_topics != "auto" and (not isinstance(nr_topics, int) or nr_topics < 2):
            raise ValueError(f"nr_topics must be None, 'auto' or an integer >= 2, got {nr_topics!r}")
        if min_topic_size is not None and min_topic_size < 2:
            raise ValueError(f"min_topic_size must be >= 2, got {min_topic_size}")
        if min_samples is not None and min_samples < 1:
            raise ValueError(f"min_samples must be >= 1, got {min_samples}")
        if cluster_selection not in ("auto", "eom", "leaf"):
            raise ValueError(f"cluster_selection must be 'auto', 'eom' or 'leaf', got {cluster_selection!r}")
        if representation not in ("ctfidf", "mmr", "keybert"):
            raise ValueError(f"representation must be one of 'ctfidf', 'mmr', 'keybert', got {representation!r}")
        if not 0.0 <= outlier_quantile < 1.0:
            raise ValueError(f"outlier_quantile must be in [0, 1), got {outlier_quantile}")
        if not 0.0 <= diversity <= 1.0:
            raise ValueError(f"diversity must be in [0, 1], got {diversity}")
        unknown = [d for d in noise_domains if d not in DOMAIN_NOISE]
        if unknown:
            raise ValueError(f"unknown noise domain(s) {unknown}; choose from {sorted(DOMAIN_NOISE)}")
        if max_topic_share is not None and not 0.0 < max_topic_share < 1.0:
            raise ValueError(f"max_topic_share must be in (0, 1) or None, got {max_topic_share}")
        if knn not in ("auto", "exact", "approx"):
            raise ValueError(f"knn must be 'auto', 'exact' or 'approx', got {knn!r}")
        if max_content_words < 0:
            raise ValueError(f"max_content_words must be >= 0, got {max_content_words}")
        if isinstance(names, str):
            raise TypeError("names must be a list of product or brand names, not one string; wrap it: [name]")
        if n_neighbors < 2 or (n_components is not None and n_components < 1) or top_n_words < 1 or n_representatives < 0:
            raise ValueError("n_neighbors must be >= 2, n_components (or None) and top_n_words >= 1, n_representatives >= 0")
        self.embedding_model = embedding_model
        self.nr_topics = nr_topics
        self.min_topic_size = min_topic_size
        self.min_samples = min_samples
        self.n_neighbors = n_neighbors
        self.n_components = n_components
        self.seed = seed
        self.cluster_selection = cluster_selection
        self.top_n_words = top_n_words
        self.representation = representation
        self.diversity = diversity
        self.ngram_range = tuple(ngram_range)
        self.stopwords = tuple(stopwords)
        self.noise_domains = tuple(noise_domains)
        self.reduce_outliers = reduce_outliers
        self.outlier_quantile = outlier_quantile
        self.n_representatives = n_representatives
        self.user_dict = user_dict
        self.generic_group = generic_group
        self.max_content_words = max_content_words
        self.names = tuple(sorted({str(n) for n in names if isinstance(n, str) and n.strip()}))
        self.mask_names = mask_names
        self.max_topic_share = max_topic_share
        self.knn = knn
        if knn_min < 0:
            raise ValueError(f"knn_min must be 0 or more documents, got {knn_min}")
        self.knn_min = int(knn_min)
        self._embedder: ProjectEmbedder | None = None
        self.name_words_: frozenset[str] = frozenset()
        self.name_surfaces_: list[str] = []

    # -- parameters ------------------------------------------------------------------------
    _PARAMS = (
        "nr_topics",
        "min_topic_size",
        "min_samples",
        "n_neighbors",
        "n_components",
        "seed",
        "cluster_selection",
        "top_n_words",
        "representation",
        "diversity",
        "ngram_range",
        "stopwords",
        "noise_domains",
        "reduce_outliers",
        "outlier_quantile",
        "n_representatives",
        "generic_group",
        "max_content_words",
        "names",
        "mask_names",
        "max_topic_share",
        "knn",
        "knn_min",
    )

    def get_params(self) -> dict[str, Any]:
        """Constructor parameters (without the embedding model and user dictionary), JSON-friendly."""
        out = {k: getattr(self, k) for k in self._PARAMS}
        out["ngram_range"] = list(out["ngram_range"])
        out["stopwords"] = list(out["stopwords"])
        out["noise_domains"] = list(out["noise_domains"])
        out["names"] = list(out["names"])
        return out

    def __repr__(self) -> str:
        import inspect

        defaults = {k: p.default for k, p in inspect.signature(type(self).__init__).parameters.items()}
        changed = {
            k: v
            for k, v in self.get_params().items()
            if not (v == defaults.get(k) or (isinstance(v, list) and tuple(v) == tuple(defaults.get(k) or ())))
        }
        return f"TopicModel({', '.join(f'{k}={v!r}' for k, v in changed.items())})"

    @property
    def embedder(self) -> ProjectEmbedder:
        """The embedder used for texts without precomputed embeddings (created on first use)."""
        if self._embedder is None:
            model = self.embedding_model
            self._embedder = model if isinstance(model, ProjectEmbedder) else ProjectEmbedder(model)
        return self._embedder

    def _check_fitted(self) -> None:
        if getattr(self, "bertopic_", None) is None:
            raise NotFittedError("this TopicModel is not fitted yet: call fit(docs) or TopicModel.load(path) first")

    # -- helpers ---------------------------------------------------------------------------
    @staticmethod
    def _check_docs(docs: Sequence[str]) -> list[str]:
        if isinstance(docs, str):
            raise TypeError("docs must be a list of texts, not one string; wrap it: [text]")
        out = []
        for i, d in enumerate(docs):
            if d is None or (isinstance(d, float) and math.isnan(d)):
                d = ""
            if not isinstance(d, str):
                raise TypeError(f"document {i} is a {type(d).__name__}, expected str")
            out.append(d.replace(DOC_SEPARATOR, " "))
        return out

    @staticmethod
    def _check_embeddings(embeddings: np.ndarray | None, n: int) -> np.ndarray | None:
        if embeddings is None:
            return None
        emb = np.asarray(embeddings, dtype=np.float32)
        if emb.ndim != 2 or emb.shape[0] != n:
            raise ValueError(f"expected embeddings of shape ({n}, dim), one row per document; got {emb.shape}")
        if not np.isfinite(emb).all():
            raise ValueError("the embeddings contain NaN or infinite values")
        return emb

    def _embeddings(self, docs: list[str], embeddings: np.ndarray | None) -> np.ndarray:
        if embeddings is None:
            if self.mask_names and self.name_surfaces_:
                from nlp.topics.names import mask_names

                todo = [d for d in dict.fromkeys(docs) if not self.embedder.knows(d)]
                if todo:
                    self.embedder.remember(todo, self.embedder.encode(mask_names(todo, self.name_surfaces_)))
            return np.asarray(self.embedder.encode(docs), dtype=np.float32)
        emb = self._check_embeddings(embeddings, len(docs))
        self.embedder.remember(docs, emb)
        return emb

    def _vectorizer(self):
        return kiwi_vectorizer(
            ngram_range=self.ngram_range,
            stopwords=tuple(self.stopwords) + tuple(sorted(self.name_words_)),
            noise_domains=self.noise_domains,  # type: ignore[arg-type]
            user_dict=self.user_dict,
        )

    def _find_names(self) -> None:
        """The words (for keywords) and surface forms (for masking) of ``names`` and the user dictionary."""
        from nlp.topics.names import name_surfaces, name_words, user_dict_words
        from nlp.topics.vectorizer import KiwiAnalyzer

        user_words = user_dict_words(self.user_dict)
        if not self.names and not user_words:
            self.name_words_, self.name_surfaces_ = frozenset(), []
            return
        analyzer = KiwiAnalyzer(user_dict=self.user_dict)
        self.name_words_ = name_words(self.names, analyzer, user_words)
        self.name_surfaces_ = name_surfaces(self.names, analyzer, user_words)
        logger.info("%d words of %d product/brand names kept out of the keywords", len(self.name_words_), len(self.names) + len(user_words))

    def _generic(self, texts: list[str], analyzer) -> np.ndarray:
        if not self.generic_group:
            return np.zeros(len(texts), dtype=bool)
        from nlp.topics.generic import generic_mask

        return generic_mask(texts, analyzer, max_content_words=self.max_content_words)

    def _precomputed_knn(self, x: np.ndarray) -> dict[str, Any]:
        """UMAP's ``precomputed_knn`` argument when the neighbour graph is computed exactly here (see ``knn``)."""
        n = len(x)
        exact = self.knn == "exact" or (self.knn == "auto" and n <= EXACT_KNN_MAX)
        if not exact or n < self.knn_min:
            return {}
        idx, dist = exact_knn(x, min(self.n_neighbors, n - 1))
        return {"precomputed_knn": (idx, dist)}

    def _representation_model(self):
        if self.representation == "mmr":
            from bertopic.representation import MaximalMarginalRelevance

            return MaximalMarginalRelevance(diversity=self.diversity, top_n_words=self.top_n_words)
        if self.representation == "keybert":
            from bertopic.representation import KeyBERTInspired

            return KeyBERTInspired(top_n_words=self.top_n_words, nr_repr_docs=5, nr_samples=500, random_state=self.seed)
        return None

    def _backend(self):
        return _bertopic_backend(self.embedder)

    # -- fitting ---------------------------------------------------------------------------
    def fit(self, docs: Sequence[str], embeddings: np.ndarray | None = None) -> TopicModel:
        """Fit topics on documents (embedding them unless ``embeddings`` are given). Returns ``self``."""
        self.fit_transform(docs, embeddings)
        return self

    def fit_transform(self, docs: Sequence[str], embeddings: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Fit, and return the topic (``-1`` = outlier) and ``topic_prob`` of every training document.

        Raises:
            ValueError: too few documents, embeddings of the wrong shape, or no topic found.
        """
        try:
            from bertopic import BERTopic
            from bertopic.vectorizers import ClassTfidfTransformer
            from hdbscan import HDBSCAN
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("topic modelling needs BERTopic, UMAP and HDBSCAN: install `nlp-insight[topics]`") from exc

        all_texts = self._check_docs(docs)
        all_emb = self._check_embeddings(embeddings, len(all_texts))
        self._find_names()
        vectorizer = self._vectorizer()
        vectorizer.analyzer.prime(all_texts)
        self.generic_ = self._generic(all_texts, vectorizer.analyzer)
        clustered = np.flatnonzero(~self.generic_)
        if self.generic_.any():
            logger.info(
                "%d of %d documents are short generic praise or reactions: one group (%d), not clustered",
                int(self.generic_.sum()), len(all_texts), GENERIC_TOPIC,
            )
        texts = [all_texts[i] for i in clustered]
        n = len(texts)
        min_size = self.min_topic_size or _auto_min_topic_size(n)
        if n < max(2 * min_size, 6):
            raise TooFewDocumentsError(
                f"{n} documents are too few for topics of at least {min_size} documents"
                + (f" ({int(self.generic_.sum())} more are short generic praise or reactions)" if self.generic_.any() else "")
                + f"; give at least {max(2 * min_size, 6)} documents or lower --min-topic-size"
            )
        emb = self._embeddings(texts, all_emb[clustered] if all_emb is not None else None)
        min_samples = self.min_samples or max(2, min_size // 3)
        x = _normalise(emb)
        from bertopic.dimensionality import BaseDimensionalityReduction

        reduced = None
        if self.n_components is None:
            umap_model = BaseDimensionalityReduction()  # cluster the (unit-length) embeddings as they are
        else:
            try:
                from umap import UMAP
            except ImportError as exc:  # pragma: no cover - depends on the environment
                raise ImportError("topic modelling needs UMAP: install `nlp-insight[topics]`") from exc
            cache_umap_compilation()
            umap_model = UMAP(
                n_neighbors=min(self.n_neighbors, n - 1),
                n_components=min(self.n_components, n - 2),
                min_dist=0.0,
                metric="cosine",
                random_state=self.seed,  # seeded UMAP runs on one thread anyway; saying so silences its warning
                low_memory=False,
                n_jobs=1,
                **self._precomputed_knn(x),
            )
            with warnings.catch_warnings():  # no search index with a precomputed graph: transform is never used (below)
                warnings.filterwarnings("ignore", message=r"precomputed_knn\[2\]", category=UserWarning)
                reduced = umap_model.fit_transform(x)  # once, even when the clustering runs twice (auto selection)
            umap_model = _Reduced(umap_model, x, reduced)
        ctfidf = ClassTfidfTransformer(reduce_frequent_words=True)
        rep = self._representation_model()
        internal = [t + DOC_SEPARATOR for t in texts]
        methods = ["eom", "leaf"] if self.cluster_selection == "auto" else [self.cluster_selection]
        for method in methods:
            self.bertopic_ = BERTopic(
                language="multilingual",
                embedding_model=self._backend() if rep is not None else None,
                umap_model=umap_model,
                hdbscan_model=HDBSCAN(
                    min_cluster_size=min_size,
                    min_samples=min_samples,
                    metric="euclidean",
                    cluster_selection_method=method,
                    prediction_data=True,
                ),
                vectorizer_model=vectorizer,
                ctfidf_model=ctfidf,
                representation_model=rep,
                top_n_words=max(self.top_n_words, LABEL_CANDIDATES),
                min_topic_size=min_size,
                nr_topics=None,  # merging, when asked for, happens below once the topic count is known
                calculate_probabilities=False,
            )
            logger.info("fitting topics on %d documents (min topic size %d, min samples %d, %s clusters)", n, min_size, min_samples, method)
            topics, _ = self.bertopic_.fit_transform(internal, embeddings=x)
            topics = np.asarray(topics, dtype=int)
            sizes = np.bincount(topics[topics >= 0]) if (topics >= 0).any() else np.zeros(1, dtype=int)
            self.cluster_selection_ = method
            if method == methods[-1] or sizes.max() <= GIANT_TOPIC_SHARE * n:
                break
            logger.info(
                "one topic holds %.0f%% of the documents (HDBSCAN's eom selected the whole tree); re-clustering with leaf clusters",
                100 * sizes.max() / n,
            )
        topics = np.asarray(topics, dtype=int)
        found = sorted(set(topics.tolist()) - {-1})
        if not found:
            raise ValueError(
                f"no topics found in {n} documents with min topic size {min_size}: "
                "lower min_topic_size=, or give more (or more varied) documents"
            )
        target = self.nr_topics if isinstance(self.nr_topics, int) else (MAX_AUTO_TOPICS if self.nr_topics == "auto" else None)
        cap = None if self.max_topic_share is None else max(min_size, int(self.max_topic_share * n))
        if cap is not None:
            # a catch-all topic is split into its own finer clusters, and merging never rebuilds one
            topics = _split_large_topics(reduced if reduced is not None else x, x, topics, cap, min_size, min_samples)
            if target is not None and len(set(topics.tolist()) - {-1}) > target:
                # a number of topics asked for is honoured; the automatic merge stops short of a catch-all
                merge_cap = cap if self.nr_topics == "auto" else n
                logger.info("merging %d topics into %d (closest topic centres first, none above %d documents)", len(set(topics.tolist()) - {-1}), target, merge_cap)
                topics = _merge_topics(x, topics, target, merge_cap)
            topics = _number_by_size(topics)
        elif target is not None and len(found) > target:
            logger.info("merging %d topics into %d (closest topic centres first)", len(found), target)
            # BERTopic counts the outlier topic among nr_topics
            self.bertopic_.reduce_topics(internal, nr_topics=target + int(-1 in topics))
            topics = np.asarray(self.bertopic_.topics_, dtype=int)
        found = sorted(set(topics.tolist()) - {-1})
        centroids = _normalise(np.stack([x[topics == t].mean(0) for t in found]))
        sims = x @ centroids.T
        own = np.array([sims[i, found.index(t)] for i, t in enumerate(topics) if t != -1])
        self.outlier_threshold_ = float(np.quantile(own, self.outlier_quantile)) if self.outlier_quantile > 0 else -1.0
        if self.reduce_outliers and (topics == -1).any():
            best = sims.argmax(1)
            move = (topics == -1) & (sims.max(1) >= self.outlier_threshold_)
            new_topics = topics.copy()
            new_topics[move] = np.asarray(found)[best[move]]
            logger.info(
                "outliers: %d of %d moved to their nearest topic, %d left",
                int(move.sum()),
                int((topics == -1).sum()),
                int((new_topics == -1).sum()),
            )
            topics = new_topics
        if not np.array_equal(topics, np.asarray(self.bertopic_.topics_, dtype=int)):
            bt_logger = logging.getLogger("BERTopic")
            level = bt_logger.level
            bt_logger.setLevel(logging.ERROR)  # its warning about custom topics is about our own, intended use
            try:
                self.bertopic_.update_topics(
                    internal,
                    topics=topics.tolist(),
                    top_n_words=max(self.top_n_words, LABEL_CANDIDATES),
                    vectorizer_model=vectorizer,
                    ctfidf_model=ctfidf,
                    representation_model=rep,
                )
            finally:
                bt_logger.setLevel(level)
        self._finish(all_texts, clustered, topics, x, vectorizer.analyzer)
        return self.topics_, self.probabilities_

    def _finish(self, all_texts: list[str], clustered: np.ndarray, topics: np.ndarray, x: np.ndarray, analyzer) -> None:
        from nlp.topics.generic import GENERIC_LABEL, generic_keywords
        from nlp.topics.labels import readable_label, representatives

        bt = self.bertopic_
        texts = [all_texts[i] for i in clustered]
        ids = sorted(set(topics.tolist()) - {-1})
        self.topic_ids_ = np.asarray(ids, dtype=int)
        self.topic_embeddings_ = _normalise(np.stack([x[topics == t].mean(0) for t in ids])).astype(np.float32)
        # BERTopic keeps one centroid row per topic, the outlier topic first when present
        rows = ([x[topics == -1].mean(0)] if (topics == -1).any() else []) + list(self.topic_embeddings_)
        bt.topic_embeddings_ = np.stack(rows).astype(np.float32)
        bt.topics_ = topics.tolist()
        full = np.full(len(all_texts), GENERIC_TOPIC, dtype=int)
        full[clustered] = topics
        self.topics_ = full
        self.topic_sizes_ = {int(t): int((full == t).sum()) for t in sorted(set(full.tolist()))}
        ranked = {int(t): [w for w, _ in (bt.get_topic(t) or []) if w] for t in sorted(set(topics.tolist()))}
        self.keywords_ = {t: kws[: self.top_n_words] for t, kws in ranked.items()}
        self.labels_ = {}
        members = {t: [texts[i] for i in np.flatnonzero(topics == t)] for t in ranked}
        for t, kws in ranked.items():
            if t == -1:
                self.labels_[t] = "outliers"
            else:
                self.labels_[t] = readable_label(kws, members[t], analyzer)
        bt.set_topic_labels(dict(self.labels_))
        sims = x @ self.topic_embeddings_.T
        probs = np.ones(len(all_texts), dtype=np.float32)  # the generic group is decided by rule, not by similarity
        probs[clustered] = self._probabilities(sims, topics)
        self.probabilities_ = probs
        self.representative_docs_ = {}
        for j, t in enumerate(ids):
            local = np.flatnonzero(topics == t)
            chosen = representatives([texts[i] for i in local], sims[local, j], analyzer, self.n_representatives)
            self.representative_docs_[int(t)] = [int(clustered[local[k]]) for k in chosen]
        if self.generic_.any():
            generic_idx = np.flatnonzero(self.generic_)
            generic_texts = [all_texts[i] for i in generic_idx]
            self.keywords_[GENERIC_TOPIC] = generic_keywords(generic_texts, self.top_n_words)
            self.labels_[GENERIC_TOPIC] = GENERIC_LABEL
            self.representative_docs_[GENERIC_TOPIC] = [int(generic_idx[k]) for k in _most_common(generic_texts, self.n_representatives)]
        self.n_documents_ = len(all_texts)

    def _probabilities(self, sims: np.ndarray, topics: np.ndarray) -> np.ndarray:
        z = (sims - sims.max(1, keepdims=True)) / PROB_TEMPERATURE
        p = np.exp(z)
        p /= p.sum(1, keepdims=True)
        col = {t: j for j, t in enumerate(self.topic_ids_.tolist())}
        return np.array([p[i, col[t]] if t in col else 0.0 for i, t in enumerate(topics.tolist())], dtype=np.float32)

    # -- prediction ------------------------------------------------------------------------
    def transform(self, docs: Sequence[str], embeddings: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Topic and ``topic_prob`` for new documents: the nearest topic centre (``-1`` when none is close enough)."""
        self._check_fitted()
        all_texts = self._check_docs(docs)
        all_emb = self._check_embeddings(embeddings, len(all_texts))
        if not all_texts:
            return np.zeros(0, dtype=int), np.zeros(0, dtype=np.float32)
        generic = self._generic(all_texts, self.bertopic_.vectorizer_model.analyzer)
        out_topics = np.full(len(all_texts), GENERIC_TOPIC, dtype=int)
        out_probs = np.ones(len(all_texts), dtype=np.float32)
        rest = np.flatnonzero(~generic)
        if not len(rest):
            return out_topics, out_probs
        texts = [all_texts[i] for i in rest]
        x = _normalise(self._embeddings(texts, all_emb[rest] if all_emb is not None else None))
        if x.shape[1] != self.topic_embeddings_.shape[1]:
            raise ValueError(
                f"embeddings have {x.shape[1]} dimensions but the topics were fitted on {self.topic_embeddings_.shape[1]}: "
                "use the same encoder for fitting and predicting"
            )
        sims = x @ self.topic_embeddings_.T
        topics = self.topic_ids_[sims.argmax(1)]
        topics = np.where(sims.max(1) >= self.outlier_threshold_, topics, -1)
        out_topics[rest] = topics
        out_probs[rest] = self._probabilities(sims, topics)
        return out_topics, out_probs

    def predict(self, docs: Sequence[str], embeddings: np.ndarray | None = None) -> np.ndarray:
        """Topic per document (see :meth:`transform`)."""
        return self.transform(docs, embeddings)[0]

    def topic_info(self):
        """One row per topic: ``topic``, ``size``, ``label``, ``keywords`` (a ``pandas.DataFrame``)."""
        import pandas as pd

        self._check_fitted()
        rows = [
            {"topic": t, "size": self.topic_sizes_.get(t, 0), "label": self.labels_[t], "keywords": self.keywords_[t]}
            for t in sorted(self.keywords_)
        ]
        return pd.DataFrame(rows, columns=["topic", "size", "label", "keywords"])

    # -- persistence -----------------------------------------------------------------------
    def _embedding_pointer(self) -> str | None:
        path = self.embedder.existing_model_path()
        return str(path) if path is not None else None

    def save(self, path: str | Path, metrics: dict[str, Any] | None = None, command: str | None = None) -> Path:
        """Save as a directory: BERTopic's safetensors files, ``nlp_topics.json`` and a model card.

        The embedding model is recorded as a pointer to its sentence-transformers directory
        (not copied): ``BERTopic.load(path)`` and ``SentenceTransformer(pointer)`` work offline
        on this machine. Models fitted with an injected embedder record none.
        """
        self._check_fitted()
        d = Path(path)
        d.mkdir(parents=True, exist_ok=True)
        pointer = self._embedding_pointer()
        self.bertopic_.save(str(d), serialization="safetensors", save_ctfidf=True, save_embedding_model=pointer or False)
        cfg = {
            "version": MODEL_VERSION,
            "params": self.get_params(),
            "embedding_model": pointer,
            "embedding_source": self.embedder.source,
            "topic_ids": self.topic_ids_.tolist(),
            "outlier_threshold": self.outlier_threshold_,
            "cluster_selection_used": getattr(self, "cluster_selection_", None),
            "prob_temperature": PROB_TEMPERATURE,
            "topic_sizes": {str(k): v for k, v in self.topic_sizes_.items()},
            "keywords": {str(k): v for k, v in self.keywords_.items()},
            "labels": {str(k): v for k, v in self.labels_.items()},
            "name_words": sorted(self.name_words_),
            "name_surfaces": list(self.name_surfaces_),
            "n_documents": self.n_documents_,
            "metrics": metrics or {},
        }
        (d / TOPIC_CONFIG_NAME).write_text(json.dumps(cfg, ensure_ascii=False, indent=2), encoding="utf-8")
        (d / MODEL_CARD_NAME).write_text(self._model_card(pointer, metrics, command), encoding="utf-8")
        return d

    def _model_card(self, pointer: str | None, metrics: dict[str, Any] | None, command: str | None) -> str:
        lines = [
            "# nlp-insight topic model",
            "",
            f"BERTopic fitted on {self.n_documents_} documents: {len(self.topic_ids_)} topics, "
            f"{self.topic_sizes_.get(-1, 0)} outliers. Keywords are Kiwi morphemes weighted by c-TF-IDF.",
            "",
            "Load with `nlp.topics.TopicModel.load(PATH)`, or with BERTopic itself: `BERTopic.load(PATH)` "
            "(it loads the embedding model recorded below, offline; where that directory is missing, pass "
            "`embedding_model=SentenceTransformer(DIR)`).",
            "",
            f"- embedding model: `{pointer}` (from `{self.embedder.source or 'base e5'}`)"
            if pointer
            else f"- embedding model: `{self.embedder.source or 'base e5'}` (sentence-transformers directory not written yet)",
            f"- parameters: `{json.dumps(self.get_params(), ensure_ascii=False)}`",
            "",
            "| topic | size | label |",
            "|---|---|---|",
        ]
        lines += [f"| {t} | {self.topic_sizes_.get(t, 0)} | {self.labels_[t]} |" for t in sorted(self.labels_)]
        if metrics:
            lines += ["", "## Metrics", "", "```json", json.dumps(metrics, ensure_ascii=False, indent=2), "```"]
        if command:
            lines += ["", f"Measured with: `{command}`"]
        return "\n".join(lines) + "\n"

    @classmethod
    def load(cls, path: str | Path, embedding_model: str | Path | TextEmbedder | None = None) -> TopicModel:
        """Load a saved model; ``embedding_model`` overrides the recorded one (needed for injected embedders)."""
        d = Path(path)
        cfg_path = d / TOPIC_CONFIG_NAME
        if not cfg_path.is_file():
            raise FileNotFoundError(f"{d} is not a saved topic model: {TOPIC_CONFIG_NAME} is missing")
        cfg = json.loads(cfg_path.read_text(encoding="utf-8"))
        if cfg.get("version", 0) > MODEL_VERSION:
            raise ValueError(f"{d} was saved by a newer nlp-insight (model version {cfg['version']}); upgrade to load it")
        params = dict(cfg["params"])
        params["ngram_range"] = tuple(params["ngram_range"])
        if embedding_model is None:
            source = cfg.get("embedding_source")
            embedding_model = cfg.get("embedding_model") or (None if source in (None, "<injected>") else source)
            if source == "<injected>":
                logger.warning("%s was fitted with an embedder given in code; pass embedding_model= to embed new texts", d)
        if cfg.get("version", 0) < 2:
            params.setdefault("generic_group", False)  # saved before the generic group existed: predict as it did
        params["names"] = tuple(params.get("names", ()))
        model = cls(embedding_model, **params)
        model.name_words_ = frozenset(cfg.get("name_words", ()))
        model.name_surfaces_ = list(cfg.get("name_surfaces", ()))
        model.bertopic_ = _load_bertopic(d)
        model.bertopic_.vectorizer_model = _restore_vectorizer(model, model.bertopic_.vectorizer_model)
        model.topic_ids_ = np.asarray(cfg["topic_ids"], dtype=int)
        emb = np.asarray(model.bertopic_.topic_embeddings_, dtype=np.float32)
        has_outliers = -1 in {int(k) for k in cfg["topic_sizes"]}
        model.topic_embeddings_ = _normalise(emb[1:] if has_outliers else emb).astype(np.float32)
        model.outlier_threshold_ = float(cfg["outlier_threshold"])
        model.cluster_selection_ = cfg.get("cluster_selection_used")  # None for models saved before it was recorded
        model.topic_sizes_ = {int(k): int(v) for k, v in cfg["topic_sizes"].items()}
        model.keywords_ = {int(k): list(v) for k, v in cfg["keywords"].items()}
        model.labels_ = {int(k): v for k, v in cfg["labels"].items()}
        model.n_documents_ = int(cfg.get("n_documents", 0))
        model.topics_ = np.asarray(model.bertopic_.topics_, dtype=int)
        model.representative_docs_ = {}
        model.probabilities_ = None
        return model


class _Reduced:
    """A reduction fitted once, handed to BERTopic: ``fit`` is a no-op and the training rows map to the stored result.

    So the clustering can run twice (``cluster_selection="auto"``) without running UMAP twice.
    """

    def __init__(self, model, train: np.ndarray, reduced: np.ndarray) -> None:
        self.model, self.train, self.reduced = model, train, reduced

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        same = X is self.train or (X.shape == self.train.shape and np.array_equal(X, self.train))
        return self.reduced if same else self.model.transform(X)


def _bertopic_backend(embedder: ProjectEmbedder):
    """Wrap the embedder as a BERTopic backend (created lazily: importing BERTopic is slow)."""
    from bertopic.backend import BaseEmbedder

    class _ProjectBackend(BaseEmbedder):
        def __init__(self, inner: ProjectEmbedder) -> None:
            super().__init__(embedding_model=inner)
            self.inner = inner

        def embed(self, documents, verbose: bool = False) -> np.ndarray:
            texts = [str(t).replace(DOC_SEPARATOR, " ").strip() for t in documents]
            return self.inner.encode(texts)

    return _ProjectBackend(embedder)


def _load_bertopic(d: Path):
    """``BERTopic.load`` without loading the recorded embedding model (ours is attached lazily)."""
    from bertopic import BERTopic

    try:
        from bertopic import _save_utils
        from bertopic._bertopic import _create_model_from_files

        topics, params, tensors, ctfidf_tensors, ctfidf_config, images = _save_utils.load_local_files(d)
        params.pop("embedding_model", None)
        return _create_model_from_files(topics, params, tensors, ctfidf_tensors, ctfidf_config, images, warn_no_backend=False)
    except (ImportError, AttributeError, TypeError):  # pragma: no cover - other BERTopic versions
        return BERTopic.load(str(d))


def _restore_vectorizer(model: TopicModel, loaded):
    cv = model._vectorizer()
    vocab = getattr(loaded, "vocabulary_", None)
    if vocab:
        cv.vocabulary_ = {k: int(v) for k, v in vocab.items()}
        cv.fixed_vocabulary_ = True
    return cv


def _split_large_topics(z: np.ndarray, x: np.ndarray, topics: np.ndarray, cap: int, min_size: int, min_samples: int) -> np.ndarray:
    """Re-cluster each topic above ``cap`` documents on its own (HDBSCAN leaf clusters on the reduced vectors ``z``).

    Topics smaller than :data:`SPLIT_MIN_TOPICS` times the minimum topic size are left alone
    (a tiny corpus with three aspects has three large topics, not a catch-all). A topic that
    splits into two or more clusters is replaced by them; its documents HDBSCAN
    leaves out of every sub-cluster join the nearest one (cosine to the sub-cluster centres in
    ``x``), so splitting adds no outliers. A topic that does not split stays whole.
    """
    from hdbscan import HDBSCAN

    topics = topics.copy()
    next_id = int(topics.max()) + 1
    for t in sorted(set(topics.tolist()) - {-1}):
        members = np.flatnonzero(topics == t)
        if len(members) <= max(cap, SPLIT_MIN_TOPICS * min_size):
            continue
        sub = HDBSCAN(min_cluster_size=min_size, min_samples=min_samples, cluster_selection_method="leaf").fit_predict(z[members])
        parts = sorted(set(sub.tolist()) - {-1})
        if len(parts) < 2:
            continue
        centres = _normalise(np.stack([x[members[sub == s]].mean(0) for s in parts]))
        lost = sub == -1
        if lost.any():
            sub[lost] = np.asarray(parts)[(x[members[lost]] @ centres.T).argmax(1)]
        for k, s in enumerate(parts):
            topics[members[sub == s]] = t if k == 0 else next_id
            next_id += int(k > 0)
        logger.info("topic of %d documents (above %d) split into %d", len(members), cap, len(parts))
    return topics


def _merge_topics(x: np.ndarray, topics: np.ndarray, target: int, cap: int) -> np.ndarray:
    """Merge the closest topics (average linkage on the cosine distance of topic centres) until ``target`` remain.

    Pairs whose merged size would exceed ``cap`` documents are not merged; merging stops early
    when only such pairs are left.
    """
    ids = sorted(set(topics.tolist()) - {-1})
    centres = _normalise(np.stack([x[topics == t].mean(0) for t in ids]))
    dist = 1.0 - centres @ centres.T
    groups: dict[int, list[int]] = {i: [i] for i in range(len(ids))}
    size = {i: int((topics == t).sum()) for i, t in enumerate(ids)}
    while len(groups) > target:
        best, pair = np.inf, None
        keys = list(groups)
        for a_pos, a in enumerate(keys):
            for b in keys[a_pos + 1 :]:
                if size[a] + size[b] > cap:
                    continue
                d = float(dist[np.ix_(groups[a], groups[b])].mean())
                if d < best:
                    best, pair = d, (a, b)
        if pair is None:
            logger.info("stopped merging at %d topics: every remaining pair would exceed %d documents", len(groups), cap)
            break
        a, b = pair
        groups[a] += groups.pop(b)
        size[a] += size.pop(b)
    out = topics.copy()
    for a, members in groups.items():
        for i in members:
            out[topics == ids[i]] = ids[a]
    return out


def _number_by_size(topics: np.ndarray) -> np.ndarray:
    """Topic ids 0, 1, 2 ... from the largest topic down (-1 stays -1), as BERTopic numbers them."""
    ids = [t for t, _ in sorted(((t, int((topics == t).sum())) for t in set(topics.tolist()) - {-1}), key=lambda p: (-p[1], p[0]))]
    mapping = {t: k for k, t in enumerate(ids)}
    return np.array([mapping.get(t, -1) for t in topics.tolist()], dtype=int)
