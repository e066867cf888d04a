"""Question understanding: which documents of the library a question names.

Secretaries name documents the way they talk: "纪律处分条例", "党章", "三年行动", "党建要点",
"2020年方案", "2015年那期杂志". A question that names documents is answered from them first
(index/search.py `scope`), which is what "按纪律处分条例怎么处分" means. Pure functions over the
library's titles, years and kinds; nothing here reads the index.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# A shared run of title characters this long names a document ("问责条例", "执行有效")...
MIN_SHARED = 4
# ...unless it is common to many titles or made of the words every title uses.
MAX_TITLES = 2
GENERIC = (
    "中国共产党",
    "市直机关",
    "模范机关",
    "机关党建",
    "实施方案",
    "创建活动",
    "工作作风",
    "关于",
    "若干",
    "东莞",
)
# Everyday names that share no long run with the title: the name in the question -> a part of the title.
SHORT_NAMES = {"党章": "章程", "处分": "纪律处分", "问责": "问责条例"}
# How far after its year a kind word may come and still mean that year's document ("2020年作风整顿方案").
YEAR_KIND_GAP = 8
# How people say a document's kind (DocumentMeta.kind) together with its year.
KIND_WORDS = {
    "方案": ("方案",),
    "要点": ("要点",),
    "刊物": ("杂志", "刊物", "期刊", "那期", "那篇"),
    "条例": ("条例",),
    "准则": ("准则",),
    "规定": ("规定",),
    "细则": ("细则",),
    "通知": ("通知",),
    "清单": ("清单",),
}
_YEAR = re.compile(r"((?:19|20)\d\d)\s*年")
_SPELLINGS = (("党的建设", "党建"), ("（", "("), ("）", ")"))
_QUOTES = re.compile(r"[《》“”\"'‘’〈〉「」]")
_YEAR_RUN = re.compile(r"[\d\-－—~～]+年?")


@dataclass(frozen=True)
class LibraryDocument:
    """What a question can name a document by."""

    id: str
    title: str
    date: str  # ISO, or just the year
    kind: str


def _plain(text: str) -> str:
    """Quotes dropped, spellings unified, years blanked (a year alone names no document: see KIND_WORDS)."""
    text = _YEAR_RUN.sub("|", _QUOTES.sub("", text))
    for spelled, plain in _SPELLINGS:
        text = text.replace(spelled, plain)
    return text


def _title_words(title: str) -> str:
    """The title with its generic words broken out, so a shared run must be a distinctive part."""
    title = _plain(title)
    for word in GENERIC:
        title = title.replace(word, "|")
    return title


def _shared_runs(question: str, title: str) -> list[str]:
    """Maximal runs of at least MIN_SHARED characters that the question and the title share."""
    runs = []
    for start in range(len(title)):
        for end in range(len(title), start + MIN_SHARED - 1, -1):
            if title[start:end] in question:
                runs.append(title[start:end])
                break
    return [r for r in runs if not any(r != o and r in o for o in runs)]


def named_documents(question: str, documents: Sequence[LibraryDocument]) -> list[str]:
    """Ids of the documents the question names, in library order; [] when it names none."""
    years = set(_YEAR.findall(question))
    q = _QUOTES.sub("", _plain(question))
    titles = {d.id: _title_words(d.title) for d in documents}
    named: set[str] = set()
    for doc in documents:
        for run in _shared_runs(q, titles[doc.id]):
            if sum(run in t for t in titles.values()) <= MAX_TITLES:
                named.add(doc.id)
        if any(name in q and part in titles[doc.id] for name, part in SHORT_NAMES.items()):
            named.add(doc.id)
    for doc in documents:
        words = "|".join(KIND_WORDS.get(doc.kind, ()))
        year = doc.date[:4]
        if words and year in years and re.search(rf"{year}\s*年[^，。；？！,;?!]{{0,{YEAR_KIND_GAP}}}?(?:{words})", question):
            named.add(doc.id)
    return [d.id for d in documents if d.id in named]
