"""The fitting the learned decisions share (app/drafting/learned.py): standardised features, logistic
regression, grouped k-fold out-of-fold probabilities, and the JSON the product reads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

FOLDS = 5
META = ("group", "source", "twin", "label")  # row keys that are not features


@dataclass
class Fitted:
    """The final model's parts, and each row's probability from the fold that did not see its group."""

    names: list[str]
    mean: np.ndarray
    scale: np.ndarray
    model: Any
    out_of_fold: np.ndarray

    def probabilities(self, rows: list[dict[str, Any]]) -> np.ndarray:
        """The final model's probabilities for rows it was not fitted on (absent features at the mean)."""
        x = matrix(rows, self.names)
        x = np.where(np.isnan(x), self.mean, x)
        return self.model.predict_proba((x - self.mean) / self.scale)[:, 1]

    def saved(self, fitted_by: str, threshold: float, **figures: Any) -> dict[str, Any]:
        """What app/drafting/learned.py loads, with the figures that justify it."""
        return {
            "fitted_by": fitted_by,
            "features": self.names,
            "mean": self.mean.round(6).tolist(),
            "scale": self.scale.round(6).tolist(),
            "weights": self.model.coef_[0].round(6).tolist(),
            "intercept": round(float(self.model.intercept_[0]), 6),
            "threshold": round(float(threshold), 4),
            **figures,
        }


def matrix(rows: list[dict[str, Any]], names: list[str]) -> np.ndarray:
    return np.asarray([[r.get(n, np.nan) for n in names] for r in rows], dtype=np.float64)


def fit(rows: list[dict[str, Any]]) -> Fitted:
    """Logistic regression (balanced classes) over the rows' features, with grouped k-fold by `group`."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    names = sorted({k for r in rows for k in r} - set(META))
    x = matrix(rows, names)
    x = np.where(np.isnan(x), np.nanmean(x, axis=0), x)  # a feature absent (no teacher) counts as its mean
    y = np.asarray([r["label"] for r in rows])
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    z = (x - mean) / scale
    oof = np.zeros(len(rows))
    for train, test in GroupKFold(n_splits=FOLDS).split(z, y, [r["group"] for r in rows]):
        fold = LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000).fit(z[train], y[train])
        oof[test] = fold.predict_proba(z[test])[:, 1]
    model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000).fit(z, y)
    return Fitted(names, mean, scale, model, oof)
