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
MAX_RUN = 16  # longer shared runs are found through their 16-character parts
# How a document's own name ends; a title ending otherwise ("……应当如何认定", a case digest's) is no name.
NAME_ENDINGS = (
    "法",
    "条例",
    "规定",
    "准则",
    "细则",
    "办法",
    "章程",
    "方案",
    "要点",
    "计划",
    "清单",
    "意见",
    "通知",
    "决定",
    "解释",
    "规则",
)
# Words after a run that use it as a document's name: "三年行动里", "作风整顿方案".
DOCUMENT_CUES = ("里", "方案", "计划", "文件", "要求", "规定", "提出", "明确", "说")
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
_QUOTED = re.compile(r"《([^》]{2,40})》")  # book-title marks: a name; “…” quotes a term as often
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


class DocumentNames:
    """The library's documents by the names a question may use, built once per library.

    A run of title characters names its document when it is distinctive (in at most MAX_TITLES
    titles, not made of GENERIC words) and used as a name: the title's own name ending ("纪律处分条例"),
    in book-title marks (《…》), followed by a word that treats it as a document ("三年行动里",
    "“执行有效”方案"), or
    said with the document's year ("2020年作风整顿"). A layperson's "劳动合同" inside a sentence
    names nothing, so a large law library is not narrowed by everyday words.
    """

    def __init__(self, documents: Sequence[LibraryDocument]) -> None:
        self.order = [d.id for d in documents]
        self.year = {d.id: d.date[:4] for d in documents}
        runs: dict[str, dict[str, bool]] = {}
        for doc in documents:
            title = _title_words(doc.title).rstrip("|()")
            for start in range(len(title)):
                for end in range(start + MIN_SHARED, min(len(title), start + MAX_RUN) + 1):
                    run = title[start:end]
                    if "|" not in run:
                        runs.setdefault(run, {})[doc.id] = end == len(title) and run.endswith(NAME_ENDINGS)
        self.runs = {run: docs for run, docs in runs.items() if len(docs) <= MAX_TITLES}
        self.short = {
            name: [d.id for d in documents if part in _title_words(d.title)]
            for name, part in SHORT_NAMES.items()
        }
        self.by_year_kind: dict[tuple[str, str], list[str]] = {}
        for doc in documents:
            self.by_year_kind.setdefault((doc.date[:4], doc.kind), []).append(doc.id)

    def named(self, question: str) -> list[str]:
        """Ids of the documents the question names, in library order; [] when it names none."""
        years = set(_YEAR.findall(question))
        quoted = {_plain(q) for q in _QUOTED.findall(question)}
        q = _plain(question)
        named: set[str] = set()
        for start in range(len(q)):
            for end in range(min(len(q), start + MAX_RUN), start + MIN_SHARED - 1, -1):
                titled = self.runs.get(q[start:end])
                if titled is None:
                    continue
                as_name = q[start:end] in quoted or q[end : end + 2].startswith(DOCUMENT_CUES)
                named.update(d for d, ending in titled.items() if ending or as_name or self.year[d] in years)
                break
        named.update(d for name, known in self.short.items() if name in q for d in known)
        for (year, kind), dated in self.by_year_kind.items():
            words = "|".join(KIND_WORDS.get(kind, ()))
            if (
                words
                and year in years
                and re.search(rf"{year}\s*年[^，。；？！,;?!]{{0,{YEAR_KIND_GAP}}}?(?:{words})", question)
            ):
                named.update(dated)
        return [d for d in self.order if d in named] if named else []


def named_documents(question: str, documents: Sequence[LibraryDocument]) -> list[str]:
    """Ids of the documents the question names (see DocumentNames); build DocumentNames once to ask often."""
    return DocumentNames(documents).named(question)
