"""The lexical index: BM25 (tantivy) over jieba words and over character bigrams.

It is derived from the Chroma collection, never a second source of truth: it is saved beside
the collection with the collection's fingerprint, loaded memory-mapped, and brought up to date
when the fingerprint no longer matches, in place (tantivy deletes the changed documents' passages
and adds their new ones) for a few changed documents of a large corpus, by a full build otherwise.
One module a job:

- `tokens`: passages into their tokens per channel, in worker processes for large corpora;
- `tantivy_index`: the passages' tokens ranked by tantivy (the only module that touches tantivy);
- `lexical_index`: `LexicalIndex`, tantivy's rows mapped to passage ids and priors;
- `storage`: one folder per saved version, named by a metadata file swapped in whole;
- `policy`: when a change is made in place and when everything is rebuilt (index/updater.py asks it).
"""

from index.lexical.lexical_index import LexicalIndex
from index.lexical.tokens import BIGRAMS, WORDS

__all__ = ["BIGRAMS", "WORDS", "LexicalIndex"]
