"""Scoring: batched texts → sentiment + purchase intent (+ embeddings for topics)."""

from nlp.scoring.scorer import INTENT_LABELS, SENTIMENT_LABELS, ModelError, Scorer, default_model_dir
from nlp.scoring.table import score_frame, score_table

__all__ = ["Scorer", "ModelError", "score_table", "score_frame", "default_model_dir", "SENTIMENT_LABELS", "INTENT_LABELS"]
