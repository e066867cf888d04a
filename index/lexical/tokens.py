"""Passages into their tokens, both channels at once, in worker processes when the corpus is large.

Each passage's tokens per channel become one space-joined string: tantivy indexes them as given
with its whitespace tokenizer, so jieba words and character bigrams are never re-split. jieba is
the slow part of a full build, so large corpora are cut into chunks, one worker per core.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Sequence

from index.tokenize import ChineseTokenizer

# Channel names are what `Hit.channels` and the fusion weights use.
WORDS = "words"
BIGRAMS = "bigrams"
CHANNELS = (WORDS, BIGRAMS)

# Per channel, one space-joined token string per text.
Tokens = dict[str, list[str]]

# Below this many passages one process tokenises faster than starting workers.
PARALLEL_FROM = 20_000
_CHUNK = 2_000
_worker: ChineseTokenizer | None = None


def _start_worker(terms: list[str]) -> None:
    global _worker
    _worker = ChineseTokenizer(terms)


def _tokenize_chunk(texts: Sequence[str], tokenizer: ChineseTokenizer | None = None) -> Tokens:
    tok = tokenizer or _worker
    assert tok is not None
    return {
        channel: [" ".join(split(text)) for text in texts]
        for channel, split in ((WORDS, tok.words), (BIGRAMS, tok.bigrams))
    }


def tokenized(texts: Sequence[str], tokenizer: ChineseTokenizer) -> Tokens:
    """Per channel, each text's tokens; chunks go to one worker per core when it pays."""
    chunks = [texts[i : i + _CHUNK] for i in range(0, len(texts), _CHUNK)]
    workers = min(os.cpu_count() or 1, len(chunks))
    merged: Tokens = {channel: [] for channel in CHANNELS}
    if len(texts) >= PARALLEL_FROM and workers > 1:
        ctx = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
        with ctx.Pool(workers, initializer=_start_worker, initargs=(tokenizer.terms,)) as pool:
            parts = list(pool.imap(_tokenize_chunk, chunks))
    else:
        parts = [_tokenize_chunk(chunk, tokenizer) for chunk in chunks]
    for part in parts:
        for channel, strings in part.items():
            merged[channel].extend(strings)
    return merged
