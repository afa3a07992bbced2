"""Topics: BERTopic over the project's embeddings with Kiwi keywords, and their summaries.

* :class:`TopicModel` — the estimator (``fit`` / ``transform`` / ``save`` / ``load``).
* :func:`topics_table` — ``nlp topics``: a scored table in, the topic outputs out.
* :class:`ProjectEmbedder` and :func:`resolve_sentence_transformer` — the project's
  encoder as a sentence-transformers model, reusing precomputed embeddings.
* :func:`kiwi_vectorizer` / :class:`KiwiAnalyzer` — keywords as Korean morphemes.
* :func:`topic_summary` / :func:`topics_by_group` / :func:`topics_by_period` — per-topic
  sentiment and intent, overall, per product and per period.
* :func:`evaluate_topics` — ``nlp evaluate topics``: ours against BERTopic's defaults.

Heavy libraries (BERTopic, UMAP, HDBSCAN, torch) load only when a model is fitted or
an encoder runs.
"""

from __future__ import annotations

from nlp.topics.embedder import ProjectEmbedder, resolve_sentence_transformer, write_sentence_transformer
from nlp.topics.evaluate import evaluate_topics, keyword_validity, topic_diversity
from nlp.topics.model import NotFittedError, TopicModel, make_label
from nlp.topics.summary import period_start, topic_summary, topics_by_group, topics_by_period
from nlp.topics.table import TopicsResult, load_embeddings, topics_table
from nlp.topics.vectorizer import DOMAIN_NOISE, REVIEW_STOPWORDS, KiwiAnalyzer, kiwi_vectorizer

__all__ = [
    "TopicModel",
    "NotFittedError",
    "make_label",
    "topics_table",
    "TopicsResult",
    "load_embeddings",
    "ProjectEmbedder",
    "resolve_sentence_transformer",
    "write_sentence_transformer",
    "KiwiAnalyzer",
    "kiwi_vectorizer",
    "REVIEW_STOPWORDS",
    "DOMAIN_NOISE",
    "topic_summary",
    "topics_by_group",
    "topics_by_period",
    "period_start",
    "evaluate_topics",
    "keyword_validity",
    "topic_diversity",
]
