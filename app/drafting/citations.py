"""The one citation numberer every draft uses, and how a citation reads on paper.

An answer, a lecture outline and a ledger all print ［n］ after a sentence and list the numbered
passages (出处) below; a passage cited twice keeps its first number.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from app.drafting.text import plain
from ingest.models import Hit

ARTICLE = re.compile(r"^第[一二三四五六七八九十百零〇\d]+条")  # how an article's heading starts
Draft = tuple[str, tuple[Hit, ...]]  # a sentence and the passages it cites, before numbering


@dataclass(frozen=True)
class Sentence:
    """One sentence of a draft and the citation numbers that bear it out; `rewritten` when the user
    changed the wording, so it no longer quotes its passage and cites it as 参见［n］."""

    text: str
    cites: tuple[int, ...]
    rewritten: bool = False

    def cited(self) -> str:
        """The sentence as printed: "原文［1］", "改写后的话（参见［1］）", or bare when it cites nothing."""
        if not self.cites:
            return self.text
        return f"{self.text}（参见{mark(*self.cites)}）" if self.rewritten else self.text + mark(*self.cites)


_MARKS = re.compile(r"（参见((?:［\d+］)+)）$|((?:［\d+］)+)$")


def as_edited(line: str, drafted: Sequence[Sentence], known: int) -> Sentence:
    """A line the user may have edited, against the sentences drafted for it: an unchanged one keeps
    its quotation, a changed one its citations as 参见 (numbers 1..`known` only), a new one none."""
    found = _MARKS.search(line.strip())
    text = _MARKS.sub("", line.strip()).strip()
    numbers = (
        tuple(int(n) for n in re.findall(r"［(\d+)］", found.group()) if 1 <= int(n) <= known)
        if found
        else ()
    )
    same = next((s for s in drafted if s.text == text and (not numbers or s.cites == numbers)), None)
    return same or Sentence(text, numbers, rewritten=bool(numbers))


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
        """The appendix entry in the usual citation form, with the passage quoted:
        ［n］《标题》第X条（发文机关，日期）：… or ［n］《标题》（发文机关，日期，文号）“小标题”：…;
        never the page's heading trail, and the article number or heading not said twice."""
        p, meta = self.hit.passage, self.hit.meta
        facts = "，".join(x for x in (meta.issuer, meta.date, meta.doc_number) if x)
        said = f"（{facts}）" if facts else ""
        text = plain(p.text)
        reference = short_reference(self.hit)
        if reference.endswith("条"):  # an article or a checklist item: its number is the reference
            head = reference + said
            number = reference.rsplit("》", 1)[1]
            text = text.removeprefix(number).strip()
        else:
            heading = plain(p.section[-1]) if len(p.section) > 1 else ""
            head = f"《{meta.title}》{said}" + (f"“{heading}”" if heading else "")
            text = text.removeprefix(heading).lstrip("。：: ") if heading else text
        return f"{mark(self.n)}{head}：{text}"


def short_reference(hit: Hit) -> str:
    """The usual citation form: 《清单》第N条 for a checklist item, 《标题》第X条 for an article,
    otherwise 《标题》（发文机关，日期）; never the heading trail of the page."""
    p = hit.passage
    if p.item:
        return f"《{p.item.checklist}》第{p.item.number}条"
    article = next((found.group() for s in reversed(p.section) if (found := ARTICLE.match(s))), "")
    return f"《{hit.meta.title}》{article}" if article else hit.citation_head()


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
