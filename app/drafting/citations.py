"""The one citation numberer every draft uses, and how a citation reads on paper.

An answer, a lecture outline and a ledger all print ［n］ after a sentence and list the numbered
passages (出处) below; a passage cited twice keeps its first number.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ingest.models import Hit

Draft = tuple[str, tuple[Hit, ...]]  # a sentence and the passages it cites, before numbering


@dataclass(frozen=True)
class Sentence:
    """One sentence of a draft and the citation numbers that bear it out."""

    text: str
    cites: tuple[int, ...]


@dataclass(frozen=True)
class Source:
    """A cited passage; `n` is the number the text prints as ［n］."""

    n: int
    hit: Hit

    def fields(self) -> dict[str, str]:
        """The columns of the 出处 sheet."""
        p, meta = self.hit.passage, self.hit.meta
        return {
            "编号": str(self.n),
            "文件标题": meta.title,
            "发文机关": meta.issuer,
            "日期": meta.date,
            "文号": meta.doc_number,
            "章节": p.section_path,
            "原文": p.text,
        }

    def line(self) -> str:
        """［n］《title》（issuer，date）doc number section：quoted text."""
        p, meta = self.hit.passage, self.hit.meta
        where = " ".join(x for x in (meta.doc_number, p.section_path) if x)
        return f"{mark(self.n)}{self.hit.citation_head()}{where}：{p.text.strip()}"


def short_reference(hit: Hit) -> str:
    """《title》and the item or nearest heading: enough to find the passage on paper."""
    p, title = hit.passage, hit.meta.title
    if p.item:
        return f"《{p.item.checklist}》第{p.item.number}条"
    section = p.section[-1] if p.section else ""
    return f"《{title}》{section if section != title else ''}"


class Sources:
    """Numbers passages in order of first citation; citing a passage again reuses its number."""

    def __init__(self) -> None:
        self._by_id: dict[str, Source] = {}

    def cite(self, hit: Hit) -> int:
        source = self._by_id.setdefault(hit.passage.id, Source(len(self._by_id) + 1, hit))
        return source.n

    def __getitem__(self, n: int) -> Source:
        return next(s for s in self._by_id.values() if s.n == n)

    def __iter__(self) -> Iterator[Source]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)


def mark(*numbers: int) -> str:
    return "".join(f"［{n}］" for n in numbers)
