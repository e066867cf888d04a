"""The answer composer: a question → short Chinese sentences, each citing the passages it came from.

The question is understood first (app/drafting/question.py): the documents it names scope the
search, and the kind of answer it asks for shapes the answer (app/drafting/answers/, one module per kind). Without an
LLM the answer is extractive, so nothing is said that the documents do not say; with one
(app/drafting/llm.py) the model writes from the numbered passages only, and a sentence its cited
passages do not bear out is dropped.

Whether the library answers the question at all is decided here, and said plainly when it does
not: a document, year or place the question names that the library lacks; a fact asked for (a date,
an amount, a person) that the chosen sentences do not hold, or hold only as a template's blank
("XX"). Whether the drafted answer answers the question is then decided by a learned model over
general features (app/drafting/answerability.py). A refusal still shows the nearest passages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING

from app.drafting.answerability import MODEL_FILE, Evidence, features
from app.drafting.answers import Request, answerer_for, checklist, fact, listing
from app.drafting.citations import Draft, Sentence, Source, Sources
from app.drafting.extract import NEAREST, WHAT_IS, asked_of, defining, extractive, query_terms
from app.drafting.item_scope import lists_problem
from app.drafting.learned import load_model
from app.drafting.question import (
    PLACEHOLDER,
    YEAR,
    Asked,
    Kind,
    asks_item,
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

UNSUPPORTED = "文档中没有找到能直接回答这个问题的内容，以下是最接近的段落。"
NO_ITEM = "问题清单里没有与所述问题对应的条目。"
NO_CHINESE = "请用中文提问：文件库里的文件都是中文的，用中文的说法才能找到出处。"
NEAREST_TAIL = "以下是最接近的段落。"
_TITLE = re.compile(r"《[^》]*》")


@dataclass(frozen=True)
class Verdict:
    """Which kind of answer the question was taken to ask for, and the learned answerability score
    (`dangjian ask --json`), so a refusal can be explained."""

    kind: str = ""
    answerability: float | None = None


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
    verdict: Verdict = Verdict()

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
    if fact is not None and (not fact.search(said) or _of_nothing_held(query, terms, library)):
        return blank_for(terms, hits) or f"找到的段落没有写明所问的{asked.fact}。"
    named = listing.numbered_names(query)
    if named and asked.kind in (Kind.GENERAL, Kind.FACT) and WHAT_IS.search(query) and not answer.shaped:
        return f"找到的段落提到“{named[0]}”，但没有写明它具体指什么。"
    count = listing.count_asked(query) if asked.kind is Kind.LIST else None
    if count and (not answer.shaped or listing.separators(said) < count - 1):
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


def _of_nothing_held(query: str, terms: QueryTerms, library: Library) -> bool:
    """Whether what a fact is asked of ("预算是多少", "授课老师是谁") is words no passage of the library
    holds: then no sentence states it, whatever number or name one holds ("全年不少于20次")."""
    of = asked_of(query, terms)
    return bool(of) and library.unseen(of) == of


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
    numbered = checklist.numbered_items(query, library, asked)
    item_hits = numbered or checklist.matched_items(library, query, hits, asked)
    if item_hits:
        return Shaped(checklist.checklist(library, item_hits, newer, bool(numbered)), item_hits, True)
    request = Request(asked, query, library, terms, hits, deep, newer)
    answerer = answerer_for(asked.kind)
    drafts = next((d for compose in answerer.composers if (d := compose(request))), None)
    if drafts:
        shaped = Shaped(drafts, [], answerer.shapes)
    elif (pattern := asked.fact_pattern()) is not None:
        shaped = Shaped(fact.fact_first(terms, hits, newer, pattern), [], False)
    else:
        shaped = Shaped(extractive(terms, hits, newer, defining(query, library)), [], False)
    return with_mentioned_item(shaped, library, query)


def with_mentioned_item(shaped: Shaped, library: Library, query: str) -> Shaped:
    """The answer led by the checklist item the question refers to in passing ("清单里说X，…")."""
    mentioned = checklist.mentioned_item(library, query) if shaped.drafts else None
    if mentioned is None or mentioned.passage.item is None:
        return shaped
    item = mentioned.passage.item
    lead = checklist.item_line(f"《{item.checklist}》第{item.number}条", mentioned)
    return Shaped([lead, *shaped.drafts], [mentioned], shaped.shaped)


@dataclass(frozen=True)
class Judgement:
    """Everything the answer is decided on: the passages, the kind asked, the shaped drafts, the
    answerability features and the learned model's probability (app/drafting/answerability.py), and
    the line saying why the library does not answer it when a check says so ("" when none does)."""

    hits: list[Hit]
    kind: str
    answer: Shaped | None
    features: dict[str, float]
    why: str

    @cached_property
    def score(self) -> float:
        """The probability that the drafted answer answers the question (0 when nothing was drafted)."""
        if self.answer is None:
            return 0.0
        model = load_model(MODEL_FILE)
        if model is None:
            raise FileNotFoundError(f"缺少回答判断模型 {MODEL_FILE}；请运行 evals/fit_answerability.py。")
        return model.probability(self.features)

    @property
    def answered(self) -> bool:
        model = load_model(MODEL_FILE)
        return (
            not self.why and self.answer is not None and model is not None and self.score >= model.threshold
        )


def judge(query: str, library: Library, k: int = 8) -> Judgement:
    """Understand the question, search, shape the answer, and check it (see the module docstring)."""
    asked = understand(query, document_names(library))
    deep = library.search(
        query, max(k, answerer_for(asked.kind).depth or k), asked.documents, asks_item(query)
    )
    hits = deep[:k]
    if not hits:
        return Judgement(hits, asked.kind.value, None, {}, "")
    checklists = [h.passage.item.checklist for h in library.checklist_items() if h.passage.item]
    missing = asked.missing or missing_checklist(query, checklists)
    unknown = library.unknown_places(query)
    if missing or unknown:
        return Judgement(hits, asked.kind.value, None, {}, missing or f"库里没有关于“{unknown[0]}”的文件。")
    terms = query_terms(query, library)
    answer = shape(asked, query, library, terms, hits, deep)
    why = unanswered(asked, query, answer, library, terms, hits)
    values = features(Evidence(asked, terms, hits, answer.drafts, answer.shaped), library, query)
    return Judgement(hits, asked.kind.value, answer, values, why)


def compose_answer(query: str, library: Library, llm: LLMClient | None = None, k: int = 8) -> Answer:
    """The cited answer to `query` from the passages `library` finds; never raises for an LLM failure."""
    if not CJK_RUN.search(query):  # the library is Chinese: an English question finds nothing in it
        return Answer(query, (Sentence(NO_CHINESE, ()),), False, (), (), ())
    decided = judge(query, library, k)
    verdict = Verdict(decided.kind, round(decided.score, 3))
    if not decided.answered or decided.answer is None:
        return replace(unsupported(query, decided.hits, decided.why), verdict=verdict)
    items = tuple(h.passage.item for h in decided.answer.items if h.passage.item)
    return replace(finish(query, decided.answer.drafts, items, decided.hits, llm), verdict=verdict)


def finish(
    query: str, drafts: list[Draft], items: tuple[ChecklistItem, ...], hits: list[Hit], llm: LLMClient | None
) -> Answer:
    """The extracted drafts numbered into an Answer, in the model's checked wording when there is one."""
    if llm is not None:
        drafts, notice = llm.answer_or(query, hits, drafts)
        return assemble(query, drafts, items, hits, notice)
    return assemble(query, drafts, items, hits)
