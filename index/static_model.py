"""The module class of the bundled embedding model (evals/train_embedding.py writes it into modules.json).

sentence-transformers' StaticEmbedding reports an infinite input length, which
llama-index's HuggingFaceEmbedding refuses; this subclass reports a finite one.
"""

from __future__ import annotations

from typing import Any

from sentence_transformers.sentence_transformer.modules import StaticEmbedding as _StaticEmbedding

MAX_TOKENS = 512  # passages are at most a few hundred characters


class StaticEmbedding(_StaticEmbedding):
    """One trained vector per token, averaged: thousands of passages a second on a CPU."""

    @property
    def max_seq_length(self) -> int:
        return MAX_TOKENS

    @max_seq_length.setter
    def max_seq_length(self, value: int) -> None:  # llama-index may set it; the bag has no limit to change
        pass

    @classmethod
    def load(cls, *args: Any, **kwargs: Any) -> StaticEmbedding:
        base = _StaticEmbedding.load(*args, **kwargs)
        return cls(base.tokenizer, embedding_weights=base.embedding.weight.detach())
