"""The answer composer: a question → short Chinese sentences, each citing the passages it came from.

The question is understood first (app/drafting/question.py): the documents it names scope the
search, and the kind of answer it asks for shapes the answer (app/drafting/kinds.py). Without an
LLM the answer is extractive, so nothing is said that the documents do not say; with one
(app/drafting/llm.py) the model writes from the numbered passages only, and a sentence its cited
passages do not bear out is dropped.

Whether the library answers the question at all is decided here, and said plainly when it does
not: a document, year or place the question names that the library lacks; a fact asked for (a date,
an amount, a person) that the chosen sentences do not hold, or hold only as a template's blank
("XX"); too little of the question's wording in the best passages. A refusal still shows the nearest
passages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.drafting import kinds
from app.drafting.citations import Draft, Sentence, Source, Sources
from app.drafting.extract import NEAREST, WHAT_IS, context, defining, extractive, query_terms
from app.drafting.item_scope import lists_problem
from app.drafting.question import (
    PLACEHOLDER,
    YEAR,
    Asked,
    Kind,
    document_names,
    missing_checklist,
    understand,
    year_kinds,
)
from app.drafting.text import CJK_RUN, QueryTerms
from index.library import Library
from ingest.models import ChecklistItem, Hit

if TYPE_CHECKING:
    from app.drafting.llm import LLMClient

# Calibrated by evals/calibrate_support.py on both dev sets (125 questions, 18 negatives): every negative
# is refused by a check above (missing document, year, place or issue; a fact or list not stated) or
# answered by its form, so the 51 questions this score decides are all answerable, the lowest at 0.118
# (a loose paraphrase). The cut keeps them all, midway to 0: it refuses only a question whose words
# the library nearly lacks.
SUPPORT_THRESHOLD = 0.059
UNSUPPORTED = "文档中没有找到能直接回答这个问题的内容，以下是最接近的段落。"
NO_ITEM = "问题清单里没有与所述问题对应的条目。"
NO_CHINESE = "请用中文提问：文件库里的文件都是中文的，用中文的说法才能找到出处。"
NEAREST_TAIL = "以下是最接近的段落。"
SUPPORT_DEPTH = 3  # passages whose text (with title and headings) the support score reads
_TITLE = re.compile(r"《[^》]*》")


@dataclass(frozen=True)
class Answer:
    """What the page and `dangjian ask` show; `supported` False = the documents don't answer it."""

    query: str
    sentences: tuple[Sentence, ...]
    supported: bool
    items: tuple[ChecklistItem, ...]
    citations: tuple[Source, ...]
    nearest: tuple[Hit, ...]
    notice: str = ""

    @property
    def text(self) -> str:
        return "".join(s.text + "".join(f"[{n}]" for n in s.cites) for s in self.sentences)

    def shown(self) -> tuple[tuple[int, Hit], ...]:
        """The numbered passages to show under the answer: its citations, or the nearest when unsupported."""
        if self.citations:
            return tuple((c.n, c.hit) for c in self.citations)
        return tuple(enumerate(self.nearest, start=1))


def assemble(
    query: str, drafts: list[Draft], items: tuple[ChecklistItem, ...], hits: list[Hit], notice: str = ""
) -> Answer:
    """Number the cited passages in order of first citation and build the Answer."""
    sources = Sources()
    said = tuple(
        Sentence(text, tuple(dict.fromkeys(sources.cite(h) for h in cited))) for text, cited in drafts
    )
    return Answer(query, said, True, items, tuple(sources), tuple(hits[:NEAREST]), notice)


def unsupported(query: str, hits: list[Hit], why: str = "") -> Answer:
    """No citations: the one sentence is about the documents, not from them; `nearest` shows why."""
    text = f"{why}{NEAREST_TAIL}" if why else UNSUPPORTED
    return Answer(query, (Sentence(text, ()),), False, (), (), tuple(hits[:NEAREST]))


def support_score(asked: Asked, terms: QueryTerms, hits: list[Hit]) -> float:
    """In [0, 1]: the IDF-weighted share of the question's words that the best passages contain.

    A question that asks which checklist item a behaviour is scores 1 when the checklist has items
    among the hits: the nearest items are its answer by construction, and they share the
    behaviour's meaning, not its words.
    """
    if asked.kind is Kind.ITEM and any(h.passage.item for h in hits):
        return 1.0
    return terms.share("\n".join(context(h) + h.passage.text.lower() for h in hits[:SUPPORT_DEPTH]))


def blank_for(terms: QueryTerms, hits: list[Hit]) -> str:
    """A template's blank where a passage would state what is asked ("组长：XX"): a line saying so."""
    words = sorted((w for w in terms.idf if len(w) >= 2), key=len, reverse=True)
    if not words:
        return ""
    near = re.compile(f"({'|'.join(map(re.escape, words))})[^。；，]{{0,6}}?[：:]\\s*({PLACEHOLDER.pattern})")
    for hit in hits[:NEAREST]:
        found = near.search(hit.passage.text)
        if found:
            return f"文件中“{found.group(1)}”一处写的是“{found.group(2)}”，没有写明具体内容。"
    return ""


def unanswered(
    asked: Asked, query: str, answer: Shaped, library: Library, terms: QueryTerms, hits: list[Hit]
) -> str:
    """Why the drafted sentences do not answer the question ("" when they do)."""
    if asked.kind is Kind.ITEM and not answer.shaped and not lists_problem(library, query):
        return NO_ITEM
    drafts = answer.drafts
    said = "".join(text for text, _ in drafts)
    fact = asked.fact_pattern()
    if fact is not None and not fact.search(said):
        return blank_for(terms, hits) or f"找到的段落没有写明所问的{asked.fact}。"
    named = kinds.numbered_names(query)
    if named and asked.kind in (Kind.GENERAL, Kind.FACT) and WHAT_IS.search(query) and not answer.shaped:
        return f"找到的段落提到“{named[0]}”，但没有写明它具体指什么。"
    count = kinds.count_asked(query) if asked.kind is Kind.LIST else None
    if count and (not answer.shaped or kinds.separators(said) < count - 1):
        return f"找到的段落没有列出所问的{count}项内容。"
    said = _TITLE.sub("", said)  # a year in a quoted title ("（2025-2027年）") says nothing about that year
    names = document_names(library)
    cited_years = {y for _, cited in drafts for h in cited for y in names.years_of(h.passage.doc_id)}
    naming = {year for year, _, _ in year_kinds(query)}  # "2020年方案" names a document, checked already
    for year in YEAR.findall(query):
        if (
            year not in naming
            and year not in said
            and not ({year} & {h.meta.date[:4] for _, cited in drafts for h in cited})
        ):
            where = "、".join(sorted(cited_years)) or "其他年份"
            return f"找到的段落（{where}年的文件）没有写到{year}年的相关内容。"
    return ""


@dataclass(frozen=True)
class Shaped:
    """The drafts for a question; `shaped` True when they have the form its kind asks for (an article
    with its grades, an enumerating section, a named document's passage), which answers it by itself."""

    drafts: list[Draft]
    items: list[Hit]
    shaped: bool


def shape(
    asked: Asked, query: str, library: Library, terms: QueryTerms, hits: list[Hit], deep: list[Hit]
) -> Shaped:
    """The drafts for the question's kind, and the checklist items they name; `deep` is the same search
    gone deeper (a penalty's article often ranks below general provisions)."""
    newer = library.superseded_by()
    numbered = kinds.numbered_items(query, library, asked)
    item_hits = numbered or kinds.matched_items(library, query, hits, asked)
    if item_hits:
        return Shaped(kinds.checklist(library, item_hits, newer, bool(numbered)), item_hits, True)
    drafts: list[Draft] | None = None
    if asked.kind is Kind.PENALTY:
        drafts = kinds.penalty(library, deep, query)
    elif asked.kind is Kind.LIST:
        drafts = kinds.listing(library, asked, terms, query, hits)
    elif asked.kind is Kind.COMPARE:
        drafts = kinds.compare(library, asked, terms, query) or None
    elif asked.kind is Kind.MEASURES:
        drafts = kinds.measures_answer(library, query, terms, deep, newer)
    elif asked.kind is Kind.LECTURE:
        drafts = kinds.lecture(library, asked, query)
    elif asked.kind is Kind.FACT:
        drafts = kinds.document_fact(library, query, hits)
    if not drafts and asked.kind in (Kind.ITEM, Kind.GENERAL, Kind.FACT) and kinds.numbered_names(query):
        # "“四种危险”属于哪一种", "“四个自信”具体指什么": the named set, spelled out
        drafts = kinds.inline_list(terms, query, hits, " ".join(h.meta.title for h in hits))
    if not drafts and asked.kind in (Kind.GENERAL, Kind.FACT):
        drafts = kinds.headed_section(library, asked, query)
    if not drafts and asked.kind is Kind.ITEM:
        drafts = kinds.named_problem(library, asked, query, hits)
    if not drafts and asked.kind is Kind.ITEM and asked.documents:
        drafts = kinds.listed_problem(library, terms, query, hits)
    if drafts:
        shaped = Shaped(drafts, [], asked.kind not in (Kind.MEASURES, Kind.LECTURE))
    elif (pattern := asked.fact_pattern()) is not None:
        shaped = Shaped(kinds.fact_first(terms, hits, newer, pattern), [], False)
    else:
        shaped = Shaped(extractive(terms, hits, newer, defining(query, library)), [], False)
    return with_mentioned_item(shaped, library, query)


def with_mentioned_item(shaped: Shaped, library: Library, query: str) -> Shaped:
    """The answer led by the checklist item the question refers to in passing ("清单里说X，…")."""
    mentioned = kinds.mentioned_item(library, query) if shaped.drafts else None
    if mentioned is None or mentioned.passage.item is None:
        return shaped
    item = mentioned.passage.item
    lead = kinds.item_line(f"《{item.checklist}》第{item.number}条", mentioned)
    return Shaped([lead, *shaped.drafts], [mentioned], shaped.shaped)


@dataclass(frozen=True)
class Judgement:
    """Everything the answer is decided on: the passages, the shaped drafts, the support score, and the
    line saying why the library does not answer it when a check says so ("" when none does)."""

    hits: list[Hit]
    answer: Shaped | None
    support: float
    why: str

    @property
    def answered(self) -> bool:
        shaped = self.answer is not None and self.answer.shaped
        return self.answer is not None and not self.why and (shaped or self.support >= SUPPORT_THRESHOLD)


def judge(query: str, library: Library, k: int = 8) -> Judgement:
    """Understand the question, search, shape the answer, and check it (see the module docstring)."""
    asked = understand(query, document_names(library))
    deep = library.search(query, max(k, kinds.DEPTH.get(asked.kind, k)), asked.documents)
    hits = deep[:k]
    if not hits:
        return Judgement(hits, None, 0.0, "")
    checklists = [h.passage.item.checklist for h in library.checklist_items() if h.passage.item]
    missing = asked.missing or missing_checklist(query, checklists)
    unknown = library.unknown_places(query)
    if missing or unknown:
        return Judgement(hits, None, 0.0, missing or f"库里没有关于“{unknown[0]}”的文件。")
    terms = query_terms(query, library)
    answer = shape(asked, query, library, terms, hits, deep)
    why = unanswered(asked, query, answer, library, terms, hits)
    return Judgement(hits, answer, support_score(asked, terms, hits), why)


def compose_answer(query: str, library: Library, llm: LLMClient | None = None, k: int = 8) -> Answer:
    """The cited answer to `query` from the passages `library` finds; never raises for an LLM failure."""
    if not CJK_RUN.search(query):  # the library is Chinese: an English question finds nothing in it
        return Answer(query, (Sentence(NO_CHINESE, ()),), False, (), (), ())
    decided = judge(query, library, k)
    if not decided.answered or decided.answer is None:
        return unsupported(query, decided.hits, decided.why)
    items = tuple(h.passage.item for h in decided.answer.items if h.passage.item)
    return finish(query, decided.answer.drafts, items, decided.hits, llm)


def finish(
    query: str, drafts: list[Draft], items: tuple[ChecklistItem, ...], hits: list[Hit], llm: LLMClient | None
) -> Answer:
    """The extracted drafts numbered into an Answer, in the model's checked wording when there is one."""
    if llm is not None:
        drafts, notice = llm.answer_or(query, hits, drafts)
        return assemble(query, drafts, items, hits, notice)
    return assemble(query, drafts, items, hits)
