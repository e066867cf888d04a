"""Weighted reciprocal rank fusion: one ranking from several channels' rankings.

RRF uses ranks, not raw scores, so BM25 scores and cosine similarities never
need calibrating against each other. The fused score is divided by the best
score a passage could get (rank 1 in every weighted channel) so it reads 0..1.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Fused:
    """A passage id with its fused score and its rank in each channel that found it."""

    id: str
    score: float
    ranks: dict[str, int] = field(default_factory=dict)


def reciprocal_rank_fusion(
    rankings: Mapping[str, Sequence[str]],
    weights: Mapping[str, float],
    k: int = 60,
    prior: Callable[[Sequence[str]], Mapping[str, float]] | None = None,
    prior_weight: float = 0.0,
) -> list[Fused]:
    """Fuse ranked id lists; a channel with weight 0 (or absent) is ignored.

    `prior` (0..1 per id, e.g. how cited a passage's document is) adds `prior_weight`
    times itself to the raw RRF score, so it reorders passages the channels found
    but never brings in one they did not.
    """
    active = {name: ids for name, ids in rankings.items() if weights.get(name, 0.0) > 0}
    best = sum(weights[name] for name in active) / (k + 1)
    scores: dict[str, float] = {}
    ranks: dict[str, dict[str, int]] = {}
    for name, ids in active.items():
        for rank, pid in enumerate(ids, start=1):
            scores[pid] = scores.get(pid, 0.0) + weights[name] / (k + rank)
            ranks.setdefault(pid, {})[name] = rank
    if prior is not None and prior_weight > 0 and scores:
        for pid, value in prior(list(scores)).items():
            scores[pid] += prior_weight * value
        best += prior_weight
    ordered = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    return [Fused(pid, score / best if best else 0.0, ranks[pid]) for pid, score in ordered]
