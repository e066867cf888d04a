"""Passages into token ids, both channels at once, in worker processes when the corpus is large.

Ids instead of strings keep a 20-million-character corpus's ~60 million tokens in a few
hundred MB rather than gigabytes of Python strings; jieba is the slow part of a full build,
so large corpora are cut into chunks, one worker per core.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from index.tokenize import ChineseTokenizer

# Channel names are what `Hit.channels` and the fusion weights use.
WORDS = "words"
BIGRAMS = "bigrams"
CHANNELS = (WORDS, BIGRAMS)

# Per channel, one int32 id array per text and the vocabulary (token -> id) they index.
TokenIds = dict[str, tuple[list[np.ndarray], dict[str, int]]]

# Below this many passages one process tokenises faster than starting workers.
PARALLEL_FROM = 20_000
_CHUNK = 2_000
_worker: ChineseTokenizer | None = None


def _start_worker(terms: list[str]) -> None:
    global _worker
    _worker = ChineseTokenizer(terms)


def _tokenize_chunk(texts: Sequence[str], tokenizer: ChineseTokenizer | None = None) -> dict[str, Any]:
    """Per channel: the chunk's own vocabulary and one int32 id array per text."""
    tok = tokenizer or _worker
    assert tok is not None
    out: dict[str, Any] = {}
    for channel, split in ((WORDS, tok.words), (BIGRAMS, tok.bigrams)):
        vocab: dict[str, int] = {}
        arrays = [
            np.fromiter((vocab.setdefault(t, len(vocab)) for t in split(text) or [""]), dtype=np.int32)
            for text in texts
        ]
        out[channel] = (list(vocab), arrays)
    return out


def token_ids(texts: Sequence[str], tokenizer: ChineseTokenizer) -> TokenIds:
    """Per channel, (id arrays, vocabulary); chunks go to one worker per core when it pays."""
    chunks = [texts[i : i + _CHUNK] for i in range(0, len(texts), _CHUNK)]
    workers = min(os.cpu_count() or 1, len(chunks))
    if len(texts) >= PARALLEL_FROM and workers > 1:
        ctx = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
        with ctx.Pool(workers, initializer=_start_worker, initargs=(tokenizer.terms,)) as pool:
            parts = pool.imap(_tokenize_chunk, chunks)
            return _merge(parts)
    return _merge(_tokenize_chunk(chunk, tokenizer) for chunk in chunks)


def _merge(parts: Iterable[dict[str, Any]]) -> TokenIds:
    """Renumber each chunk's local ids into one vocabulary per channel."""
    merged: TokenIds = {channel: ([], {}) for channel in CHANNELS}
    for part in parts:
        for channel, (local_vocab, arrays) in part.items():
            out, vocab = merged[channel]
            remap = np.asarray([vocab.setdefault(t, len(vocab)) for t in local_vocab], dtype=np.int32)
            out.extend(remap[a] for a in arrays)
    return merged
