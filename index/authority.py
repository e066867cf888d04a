"""How often the corpus cites each document: a prior for the laws and rules everyone refers to.

A question in plain words is far more often about the Civil Code or the Party
Constitution than about a county's implementing rules that repeat the same
sentence. Counting 《…》 citations across the corpus (like links pointing at a
page) tells those apart without any labelled data.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

CITED = re.compile(r"《([^《》\n]{2,80})》")
_STATE_PREFIX = re.compile(r"^中华人民共和国")
# Citations at which a document counts as fully authoritative. A fixed scale, not the corpus's
# maximum: in a small corpus a handful of citations is weak evidence and must stay a small prior.
SATURATION = 1000
_TRAILING_NOTE = re.compile(r"[（(][^（）()]*[）)]$")  # (2015-04-24), （2021年修订）, （试行）


def short_title(title: str) -> str:
    """The name a citation uses: 《中华人民共和国民法典》 and 《民法典》 are the same document."""
    previous = None
    title = title.strip()
    while previous != title:
        previous = title
        title = _TRAILING_NOTE.sub("", title).strip()
    return _STATE_PREFIX.sub("", title)


def citation_counts(texts: Iterable[str]) -> Counter[str]:
    """Short title -> how many times the texts cite it."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(short_title(m) for m in CITED.findall(text))
    return counts


def authority_scores(titles: Sequence[str], counts: Counter[str]) -> np.ndarray:
    """Per passage, log-scaled citations of its document, 0..1 (1 = cited SATURATION times or more)."""
    scale = math.log1p(SATURATION)
    by_title = {t: min(1.0, math.log1p(counts.get(short_title(t), 0)) / scale) for t in set(titles)}
    return np.asarray([by_title[t] for t in titles], dtype=np.float32)
