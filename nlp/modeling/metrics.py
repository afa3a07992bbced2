"""Metrics used by ``nlp evaluate``: accuracy, macro-F1, per-class P/R/F1, confusion, ECE."""

from __future__ import annotations

import numpy as np

__all__ = ["classification_report", "expected_calibration_error"]


def expected_calibration_error(probs: np.ndarray, y_true: np.ndarray, n_bins: int = 10) -> float:
    """ECE of the top-class confidence (equal-width bins).

    Example:
        >>> round(expected_calibration_error(np.array([[0.9, 0.1], [0.8, 0.2]]), np.array([0, 1])), 3)
        0.45
    """
    conf = probs.max(axis=1)
    pred = probs.argmax(axis=1)
    correct = (pred == y_true).astype(float)
    bins = np.linspace(0, 1, n_bins + 1)
    ece = 0.0
    for lo, hi in zip(bins[:-1], bins[1:]):
        m = (conf > lo) & (conf <= hi)
        if m.any():
            ece += m.mean() * abs(correct[m].mean() - conf[m].mean())
    return float(ece)


def classification_report(y_true: list[str], y_pred: list[str], labels: list[str]) -> dict:
    """Accuracy, macro-F1 over ``labels`` present in ``y_true``, per-class P/R/F1/support and the confusion matrix."""
    from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support

    present = [lab for lab in labels if lab in set(y_true)]
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=present, zero_division=0)
    return {
        "n": len(y_true),
        "accuracy": float(np.mean(np.asarray(y_true) == np.asarray(y_pred))) if y_true else float("nan"),
        "macro_f1": float(f1_score(y_true, y_pred, labels=present, average="macro", zero_division=0)) if y_true else float("nan"),
        "per_class": {lab: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]), "support": int(s[i])} for i, lab in enumerate(present)},
        "confusion": {"labels": labels, "matrix": confusion_matrix(y_true, y_pred, labels=labels).tolist()},
    }
