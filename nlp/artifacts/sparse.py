"""Character n-gram TF-IDF + logistic regression: the reference baseline and the sparse half of the blend.

Stored without pickle: the vocabulary as JSON, ``idf``/``coef``/``intercept`` as safetensors.
Fitting uses scikit-learn; a loaded model scores with NumPy and SciPy alone (the same n-grams, TF-IDF
weights and probabilities as scikit-learn's ``TfidfVectorizer`` and ``LogisticRegression``), so a
scoring process does not import scikit-learn, about 1.6 s of every start-up on a 2-core machine.

Example:
    >>> clf = CharTfidfClassifier(max_features=1000).fit(["좋아요", "별로", "최고", "최악"], ["positive", "negative", "positive", "negative"])
    >>> clf.predict(["좋아요 최고"])[0]
    'positive'
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

__all__ = ["CharTfidfClassifier", "NgramBatch"]

VOCAB_NAME = "sparse_vocab.json"
WEIGHTS_NAME = "sparse.safetensors"


class NgramBatch:
    """The n-grams of a batch of texts, factorised: ``uniques[codes]`` in text order, ``rows`` the text of each.

    Sentiment and intent models cut texts alike, so one batch serves both and each model only
    looks up the distinct n-grams.
    """

    def __init__(self, ngrams: list[list[str]]) -> None:
        import itertools

        import pandas as pd

        self.n = len(ngrams)
        lengths = np.fromiter((len(g) for g in ngrams), dtype=np.int64, count=self.n)
        self.rows = np.repeat(np.arange(self.n, dtype=np.int64), lengths)
        flat = np.fromiter(itertools.chain.from_iterable(ngrams), dtype=object, count=int(lengths.sum()))
        self.codes, self.uniques = pd.factorize(flat) if len(flat) else (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=object))

    def __len__(self) -> int:
        return self.n


class CharTfidfClassifier:
    """char_wb 1–4-gram TF-IDF (sublinear tf) + multinomial logistic regression.

    Args:
        max_features: vocabulary size cap (most frequent n-grams).
        C: inverse regularisation strength.
        ngram_range: character n-gram lengths.
    """

    def __init__(self, max_features: int = 200_000, C: float = 2.0, ngram_range: tuple[int, int] = (1, 4), min_df: int = 3) -> None:
        self.max_features = max_features
        self.C = C
        self.ngram_range = ngram_range
        self.min_df = min_df

    def _check(self) -> None:
        if not hasattr(self, "classes_"):
            raise RuntimeError("CharTfidfClassifier is not fitted: call fit() or load() first")

    def fit(self, texts: list[str], labels=None, targets: np.ndarray | None = None, classes: list[str] | None = None) -> CharTfidfClassifier:
        """Fit on hard ``labels``, or on soft ``targets`` (n, k) with ``classes`` (sampled to hard labels by weight)."""
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        min_df = self.min_df if len(texts) > 50 * self.min_df else 1
        self.vectorizer_ = TfidfVectorizer(
            analyzer="char_wb", ngram_range=self.ngram_range, min_df=min_df, max_features=self.max_features, sublinear_tf=True, dtype=np.float32
        )
        X = self.vectorizer_.fit_transform(texts)
        weights = None
        if targets is not None:
            # soft targets: one row per (text, class) with the class probability as weight
            if classes is None:
                raise ValueError("soft targets need the class list")
            k = targets.shape[1]
            rows, ys, weights = [], [], []
            for j in range(k):
                m = targets[:, j] > 0
                rows.append(np.flatnonzero(m))
                ys += [classes[j]] * int(m.sum())
                weights.append(targets[m, j])
            idx = np.concatenate(rows)
            X = X[idx]
            y = np.array(ys)
            weights = np.concatenate(weights)
        else:
            y = np.asarray(labels)
        self.lr_ = LogisticRegression(C=self.C, max_iter=300, solver="saga", tol=1e-3, random_state=0)  # saga visits rows in random order: fixed, so a refit repeats
        self.lr_.fit(X, y, sample_weight=weights)
        self._use(
            {k: int(v) for k, v in self.vectorizer_.vocabulary_.items()},
            self.vectorizer_.idf_,
            self.lr_.coef_,
            self.lr_.intercept_,
            [str(c) for c in self.lr_.classes_],
        )
        return self

    def _use(self, vocabulary: dict[str, int], idf, coef, intercept, classes: list[str]) -> None:
        """The fitted weights this model scores with (from :meth:`fit` or :meth:`load`)."""
        self.vocabulary_ = vocabulary
        self.idf_ = np.ascontiguousarray(idf, dtype=np.float32)
        self.coef_ = np.ascontiguousarray(coef, dtype=np.float64)
        self.intercept_ = np.ascontiguousarray(intercept, dtype=np.float64)
        self.classes_ = list(classes)
        self._vocab_index = None

    def analysis_key(self) -> tuple:
        """Models with equal keys cut texts into the same n-grams, so one :meth:`analyse` serves them all."""
        return ("char_wb", tuple(self.ngram_range), True, None)  # analyzer, n-gram lengths, lowercase, accents

    _WHITE_SPACES = re.compile(r"\s\s+")

    def _ngrams(self, text: str) -> list[str]:
        """scikit-learn's ``char_wb`` analyser (lowercased, no accent stripping): each word padded with a
        space on both sides, cut into n-grams of every length in the range; a word shorter than ``n`` once."""
        if not isinstance(text, str):
            if isinstance(text, bytes):
                text = text.decode("utf-8", "strict")
            else:
                raise ValueError(f"expected a string to cut into n-grams, got {type(text).__name__}")
        min_n, max_n = self.ngram_range
        out: list[str] = []
        add = out.append
        for w in self._WHITE_SPACES.sub(" ", text.lower()).split():
            w = " " + w + " "
            w_len = len(w)
            for n in range(min_n, max_n + 1):
                offset = 0
                add(w[offset : offset + n])
                while offset + n < w_len:
                    offset += 1
                    add(w[offset : offset + n])
                if offset == 0:  # a word shorter than n counts once
                    break
        return out

    def analyse(self, texts: list[str]) -> NgramBatch:
        """The character n-grams of each text, as the vectoriser cuts them (hashed once for every model that shares them)."""
        self._check()
        return NgramBatch([self._ngrams(t) for t in texts])

    def predict_proba(self, texts: list[str], ngrams: NgramBatch | list[list[str]] | None = None) -> np.ndarray:
        """Class probabilities; ``ngrams`` (from :meth:`analyse` of a model with the same
        :meth:`analysis_key`) skips cutting the texts again: the sentiment and intent models share it.

        As scikit-learn's ``LogisticRegression.predict_proba``: the softmax of the decision values
        for three classes or more, the logistic function of the one decision value for two."""
        self._check()
        X = self._tfidf(self.analyse(texts) if ngrams is None else ngrams)
        scores = np.asarray(X @ self.coef_.T, dtype=np.float64) + self.intercept_
        if len(self.classes_) <= 2:
            p = 1.0 / (1.0 + np.exp(-scores[:, 0]))
            return np.vstack([1 - p, p]).T
        scores -= scores.max(axis=1, keepdims=True)
        np.exp(scores, scores)
        scores /= scores.sum(axis=1, keepdims=True)
        return scores

    def _tfidf(self, ngrams: NgramBatch | list[list[str]]):
        """``TfidfVectorizer.transform`` from n-grams: counts, then ``log(tf) + 1``, times idf, rows scaled to unit length.

        The batch's distinct n-grams are looked up in the vocabulary in one hash-table pass
        (pandas' ``get_indexer``) and counted by scipy, rather than one Python dict lookup per
        n-gram, which was a noticeable share of scoring time (docs/decisions.md).
        """
        import pandas as pd
        import scipy.sparse as sp

        batch = ngrams if isinstance(ngrams, NgramBatch) else NgramBatch(ngrams)
        index = getattr(self, "_vocab_index", None)
        if index is None:
            keys = list(self.vocabulary_)
            index = self._vocab_index = (pd.Index(keys), np.fromiter(self.vocabulary_.values(), dtype=np.int64, count=len(keys)))
        terms, columns = index
        pos = terms.get_indexer(batch.uniques)[batch.codes] if len(batch.codes) else np.zeros(0, dtype=np.int64)
        hit = pos >= 0
        X = sp.csr_matrix(
            (np.ones(int(hit.sum()), dtype=np.float32), (batch.rows[hit], columns[pos[hit]])), shape=(batch.n, len(self.vocabulary_))
        )
        X.sum_duplicates()  # an n-gram seen twice in a text counts twice
        X.sort_indices()
        d = X.data
        np.log(d, d)
        d += 1.0
        d *= self.idf_[X.indices]
        # unit rows, as scikit-learn's normalize() computes them to the bit: float32 squares summed
        # in float64, each value divided in float64 and stored as float32
        lengths = np.diff(X.indptr)
        full = lengths > 0
        if full.any():
            norms = np.ones(X.shape[0], dtype=np.float64)
            norms[full] = np.sqrt(np.add.reduceat((d * d).astype(np.float64), X.indptr[:-1][full]))
            norms[norms == 0] = 1.0
            X.data = (d / np.repeat(norms, lengths)).astype(np.float32)
        return X

    def predict(self, texts: list[str]) -> list[str]:
        p = self.predict_proba(texts)
        return [self.classes_[i] for i in p.argmax(axis=1)]

    def save(self, directory: str | Path, prefix: str = "") -> None:
        from safetensors.numpy import save_file

        self._check()
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        meta = {"classes": self.classes_, "ngram_range": list(self.ngram_range), "vocabulary": self.vocabulary_}
        (d / (prefix + VOCAB_NAME)).write_text(json.dumps(meta, ensure_ascii=False))
        # safetensors writes the raw buffer: the arrays are C-contiguous (_use), so a Fortran-ordered
        # coef_ from a multinomial solver cannot come back with its columns scrambled
        save_file(
            {"idf": self.idf_, "coef": self.coef_.astype(np.float32), "intercept": self.intercept_.astype(np.float32)},
            str(d / (prefix + WEIGHTS_NAME)),
        )

    @classmethod
    def load(cls, directory: str | Path, prefix: str = "") -> CharTfidfClassifier:
        from safetensors.numpy import load_file

        d = Path(directory)
        meta = json.loads((d / (prefix + VOCAB_NAME)).read_text())
        w = load_file(str(d / (prefix + WEIGHTS_NAME)))
        self = cls(ngram_range=tuple(meta["ngram_range"]))
        self._use(meta["vocabulary"], w["idf"], w["coef"], w["intercept"], meta["classes"])
        return self

    @staticmethod
    def exists(directory: str | Path, prefix: str = "") -> bool:
        return (Path(directory) / (prefix + WEIGHTS_NAME)).exists()
