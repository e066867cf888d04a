"""The small learned decisions' one model form: a standardised logistic regression kept as JSON.

Fitted by scripts in evals/ with scikit-learn (evals/learning.py; answerability:
evals/fit_answerability.py); the product reads the weights with numpy alone.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class Model:
    """Standardised logistic regression: names, means, scales, weights, intercept and the cut."""

    names: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    intercept: float
    threshold: float

    def probability(self, values: dict[str, float]) -> float:
        """P(answered); a feature not given counts as its training mean."""
        x = np.asarray(
            [values.get(n, m) for n, m in zip(self.names, self.mean, strict=True)], dtype=np.float64
        )
        z = float(((x - self.mean) / self.scale) @ self.weights + self.intercept)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@cache
def load_model(path: Path) -> Model | None:
    """The fitted model kept at `path`, or None before its fitting script has written one."""
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return Model(
        tuple(saved["features"]),
        np.asarray(saved["mean"]),
        np.asarray(saved["scale"]),
        np.asarray(saved["weights"]),
        float(saved["intercept"]),
        float(saved["threshold"]),
    )
