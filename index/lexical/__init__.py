"""The lexical index: BM25 (bm25s) over jieba words and over character bigrams.

It is derived from the Chroma collection, never a second source of truth: it is saved beside
the collection with the collection's fingerprint, loaded memory-mapped, and brought up to date
when the fingerprint no longer matches, by a small delta segment for a few changed documents of
a large corpus, by a full build otherwise. One module a job:

- `tokens`: passages into token ids per channel, in worker processes for large corpora;
- `segment`: one run of passages ranked by bm25s (the only module that touches bm25s);
- `lexical_index`: `LexicalIndex`, main segment plus delta, searched as one;
- `storage`: the folder on disk, swapped in whole so other processes never see a mix;
- `policy`: when a change becomes a delta and when everything is rebuilt (index/updater.py asks it).
"""

from index.lexical.lexical_index import LexicalIndex
from index.lexical.tokens import BIGRAMS, WORDS

__all__ = ["BIGRAMS", "WORDS", "LexicalIndex"]
