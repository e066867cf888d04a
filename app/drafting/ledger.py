"""整改台账: the unit's problems, in its own words, → ledger rows with checklist items and cited measures.

A row claims a checklist item only when the item says a fair share of what the
user wrote (MATCH_THRESHOLD, calibrated) and describes that kind of problem at all
(app/drafting/item_scope.py); otherwise it says 无匹配. Its measures are
whole clauses from every document chosen for that problem (app/drafting/measures.py),
each with its citation number, then the 纪律处分条例 article as a warning; the plans'
general way of rectifying heads the ledger once. With an LLM the measures may be
rephrased, and a rephrasing its passages do not bear out is dropped. A measure the
user rewrites cites its passage as 参见［n］, one the user adds cites nothing.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from app.drafting.citations import Draft, Sentence, Sources, as_edited, mark, short_reference
from app.drafting.extract import query_terms
from app.drafting.item_scope import lists_problem
from app.drafting.measures import SPECIFIC, clauses, general_requirement, specific_measures, warning
from app.drafting.question import document_names
from app.drafting.text import QueryTerms, item_text
from index.library import Library
from ingest.models import ChecklistItem, Hit

if TYPE_CHECKING:
    from app.drafting.llm import LLMClient

COLUMNS = (
    "序号",
    "问题表现",
    "对应清单条目",
    "整改措施",
    "责任单位",
    "责任人",
    "整改时限",
    "整改依据",
    "完成情况",
)
# Excel width units (a Chinese character is 2; Word takes them as proportions). Their sum (129 with the
# cell padding) is what A4 landscape holds at a 9-point print: LibreOffice prints 100 units at 100 %.
# 整改依据 (citations, many short lines) is as wide as it needs to be to stop setting the row height: the
# ten-problem example prints its table on 5 pages, not 6 (xlsx), and 6, not 7 (docx), at 34/17 for 措施/依据.
COLUMN_WIDTHS = (4, 14, 13, 30, 9, 7, 11, 23, 9)
_NUMBERING = re.compile(r"^\s*\d+\s*[.．、]\s*")
STATUSES = ("未启动", "推进中", "已完成", "长期坚持")
DEFAULT_DEADLINE = "2026-06-30"
NO_MATCH = "无匹配"
NO_BASIS = "文档中没有找到对应的整改依据，请人工填写。"
# Share (IDF-weighted) of the problem's words that an item's text and its everyday descriptions
# (corpus metadata, `[checklist_plain_words]`) hold; the engine's fused score is rank-based, its best
# item scores near 1 whatever the problem. evals/calibrate_ledger.py on ../shared/eval/dev_qa.jsonl:
# the top item is right for 8 of the 12 questions with an item; the best cut (0.19; 0.188 since word
# weights come from the lexical index, balanced accuracy 0.702) claims 7 of them, all right, and refuses
# 23 of the 28 without an item (those it claims are questions that name a topic of an item: 政务服务,
# 考核, 以赛促学). Caveat: the descriptions were written after the
# dev questions were read, so 7/12 flatters unseen problems. Below the cut: 无匹配, a row to fill by hand.
MATCH_THRESHOLD = 0.19
# A further item is claimed at this share of the best one's score; the one dev question with two items
# (d011: 18, 19) has its second at 0.58 of the first.
RELATED = 0.55
MAX_ITEMS = 2  # a row rectifies against at most two items (the most any dev problem has); a third is loose


# One 整改措施 and the citation numbers that bear it out: the same shape as an answer's sentence.
Measure = Sentence


@dataclass(frozen=True)
class LedgerRow:
    """One problem: what the user wrote, what the documents say about it, and the duty fields."""

    problem: str
    items: tuple[ChecklistItem, ...] = ()
    item_cites: tuple[int, ...] = ()
    measures: tuple[Measure, ...] = ()
    unit: str = ""
    person: str = ""
    deadline: str = DEFAULT_DEADLINE
    status: str = STATUSES[0]

    @property
    def item_label(self) -> str:
        return "；".join(i.label for i in self.items) or NO_MATCH

    def measures_text(self) -> str:
        lines = [f"{n}. {m.cited()}" for n, m in enumerate(self.measures, start=1)]
        return "\n".join(lines) or NO_BASIS


@dataclass(frozen=True)
class Ledger:
    """The rows and the passages they cite, numbered across the whole ledger."""

    rows: tuple[LedgerRow, ...]
    sources: Sources = field(default_factory=Sources)
    unit: str = ""
    notice: str = ""
    requirement: Measure | None = None  # the plans' general way of rectifying, said once

    @property
    def title(self) -> str:
        return f"{self.unit}整改台账" if self.unit else "整改台账"

    def basis(self, row: LedgerRow) -> str:
        cites = dict.fromkeys([*row.item_cites, *(n for m in row.measures for n in m.cites)])
        return "\n".join(f"{mark(n)}{short_reference(self.sources[n].hit)}" for n in cites)

    def progress(self) -> dict[str, int]:
        """Rows per 完成情况, in the fixed order."""
        return {s: sum(r.status == s for r in self.rows) for s in STATUSES}

    def table(self) -> list[list[str]]:
        """The rows as the columns of COLUMNS, for the workbook, the Word table and the page."""
        return [
            [
                str(n),
                r.problem,
                r.item_label,
                r.measures_text(),
                r.unit,
                r.person,
                r.deadline,
                self.basis(r),
                r.status,
            ]
            for n, r in enumerate(self.rows, start=1)
        ]


def read_problems(text: str) -> list[str]:
    """One problem per line; blank lines and leading numbering ("1.", "（2）", "- ") dropped."""
    lines = (
        re.sub(r"^\s*(?:[-*•]|\d+\s*[.．、)）]|[（(]\d+[)）])\s*", "", line).strip()
        for line in text.splitlines()
    )
    return [line for line in lines if line]


def problem_terms(text: str, library: Library) -> QueryTerms:
    """The problem's weighted words, a compound's parts dropped (政务服务, not also 政务 and 服务)."""
    terms = query_terms(text, library)
    return QueryTerms({w: v for w, v in terms.idf.items() if not any(w != o and w in o for o in terms.idf)})


def score_items(problem: str, library: Library) -> list[tuple[float, Hit]]:
    """Every checklist item the search offers for the problem, scored and ranked (no threshold yet)."""
    terms = problem_terms(problem, library)
    best: dict[tuple[str, str], tuple[float, Hit]] = {}
    for hit in library.search(problem, 30, document_names(library).named(problem), items_first=True):
        item = hit.passage.item
        if item is not None:
            best.setdefault(
                (item.checklist, item.number),
                (terms.share(f"{item_text(item)} {item.plain_words}".lower()), hit),
            )
    return sorted(best.values(), key=lambda sh: -sh[0])


def match_items(problem: str, library: Library) -> list[tuple[float, Hit]]:
    """Checklist items the problem is about, best first, with their scores; [] = 无匹配, also when a word
    is all the item shares with a problem no item describes ("会议室投影仪不清楚", 第2条's "执行口径不清楚"):
    the answers' check (item_scope.py). On both dev sets it keeps the 8 right claims of 25 checklist
    problems and cuts the claims on 22 off-topic problems from 8 to 2, on 100 other questions from 12 to 2."""
    ranked = score_items(problem, library)
    if not ranked or ranked[0][0] < MATCH_THRESHOLD or not lists_problem(library, problem):
        return []
    return [(s, h) for s, h in ranked if s >= RELATED * ranked[0][0]][:MAX_ITEMS]


def build_row(
    problem: str,
    matches: Sequence[Hit],
    library: Library,
    sources: Sources,
    llm: LLMClient | None = None,
    used: Counter[str] | None = None,
    general: frozenset[str] = frozenset(),
) -> tuple[LedgerRow, str]:
    """A row and the LLM notice (if it failed): up to three measures specific to the problem, then the
    纪律处分条例 article it would fall under as a warning. A problem no item matches and the documents
    do not address gets only measures in its own words, so an unrelated one gets none, not loose ones."""
    items = tuple(h.passage.item for h in matches if h.passage.item)
    item_cites = tuple(sources.cite(h) for h in matches)
    about = " ".join([problem, *(item_text(i) for i in items)])
    terms = problem_terms(about, library)
    found = specific_measures(about, terms, library, used, general, matched=bool(items))
    drafts: list[Draft] = [(c.text, (c.hit,)) for c in found]
    notice = ""
    if llm is not None and found:  # the model's wording, each measure checked against its passages
        hits = list({c.hit.passage.id: c.hit for c in found}.values())
        question = f"针对问题“{problem}”，依据资料写出2到3条整改措施，每条是一句简短的祈使句。"
        drafts, notice = llm.answer_or(question, hits, drafts, SPECIFIC)
    caution = warning(about, terms, library) if items or found else None
    if caution is not None:
        drafts.append((caution.text, (caution.hit,)))
    measures = tuple(
        Measure(text.rstrip("。"), tuple(sources.cite(h) for h in cited)) for text, cited in drafts
    )
    return LedgerRow(problem, items, item_cites, measures), notice


def build_ledger(
    problems: Iterable[str],
    library: Library,
    llm: LLMClient | None = None,
    unit: str = "",
    deadline: str = DEFAULT_DEADLINE,
    person: str = "",
    picked: Sequence[Hit] = (),
) -> Ledger:
    """The ledger: the general requirement once, the picked checklist items (already matched), then
    the typed problems; no clause serves more than measures.ROWS_PER_CLAUSE rows."""
    sources = Sources()
    general = general_requirement(library)
    requirement = Measure(general.text, (sources.cite(general.hit),)) if general else None
    specs = [(item_text(h.passage.item), [h]) for h in picked if h.passage.item]
    specs += [(p, [h for _, h in match_items(p, library)]) for p in problems]
    rows, notices, used = [], [], Counter[str]()
    excluded = frozenset(clauses(general.hit.passage.text)) if general else frozenset()
    for problem, matches in specs:
        row, notice = build_row(problem, matches, library, sources, llm, used, excluded)
        rows.append(replace(row, unit=unit, person=person, deadline=deadline))
        notices.append(notice)
    return Ledger(tuple(rows), sources, unit, next((n for n in notices if n), ""), requirement)


def edited_measures(row: LedgerRow, text: str, known: int) -> tuple[Measure, ...]:
    """The 整改措施 cell as the user left it: one measure per line (its "1. " numbering dropped); an
    unchanged line keeps its quotation, a changed one cites as 参见［n］, a new one cites nothing."""
    if text.strip() in ("", NO_BASIS) or text == row.measures_text():
        return () if text.strip() in ("", NO_BASIS) else row.measures
    lines = (_NUMBERING.sub("", line).strip() for line in text.splitlines())
    return tuple(as_edited(line, row.measures, known) for line in lines if line)


def apply_edits(ledger: Ledger, records: Sequence[Mapping[str, Any]]) -> Ledger:
    """The ledger as edited on the page (one record per row, COLUMNS as keys): the duty fields and
    the measures, whose edited lines no longer count as quotations."""
    rows = []
    for row, rec in zip(ledger.rows, records, strict=True):
        status = str(rec.get("完成情况") or row.status)
        rows.append(
            replace(
                row,
                measures=edited_measures(row, str(rec.get("整改措施") or ""), len(ledger.sources))
                if "整改措施" in rec
                else row.measures,
                unit=str(rec.get("责任单位") or ""),
                person=str(rec.get("责任人") or ""),
                deadline=str(rec.get("整改时限") or ""),
                status=status if status in STATUSES else row.status,
            )
        )
    return replace(ledger, rows=tuple(rows))
