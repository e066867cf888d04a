"""The answer composer: a question → short Chinese sentences, each citing the passages it came from.

Without an LLM the answer is extractive: the retrieved sentences that share the
most (IDF-weighted) words with the question, so nothing is said that the
documents do not say. A checklist question opens with the matched item(s) and
the measures the plans set against them. With an LLM (`app.drafting.llm`) the model
writes the sentences from the numbered passages only, and any sentence that
its cited passages do not bear out is dropped before the user sees it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app.drafting.citations import Draft, Source, Sources
from app.drafting.text import (
    MEASURE,
    MIN_CJK,
    PLAN_KINDS,
    QueryTerms,
    as_sentence,
    cjk_bigrams,
    cjk_length,
    item_text,
    jaccard,
    plain,
    sentences,
)
from index.library import Library
from index.search import CHECKLIST_QUESTION
from ingest.models import ChecklistItem, Hit

if TYPE_CHECKING:
    from app.drafting.llm import LLMClient

# Calibrated by evals/calibrate_support.py on ../shared/eval/dev_qa.jsonl (37 answerable, 3 negative
# questions), rerun with the shipped fusion (bundled embedding model at weight 0.1, citation prior 0.5)
# and word weights from the lexical index's own document frequencies: the best cut (0.626, midway
# between the highest negative 0.557 and the next answerable 0.694) refuses 3/3 negatives and keeps
# 31/37 answerable (balanced accuracy 0.919). The ones it loses are loose paraphrases ("老毛病又冒头"),
# which still see the nearest passages. Three negatives are thin evidence.
SUPPORT_THRESHOLD = 0.626
UNSUPPORTED = "文档中没有找到能直接回答这个问题的内容，以下是最接近的段落。"
NEAREST = 5  # passages shown beside an answer (and instead of one)
MIN_SENTENCES, MAX_SENTENCES = 2, 5
RELATIVE = 0.6  # a further sentence must score at least this share of the best one
MIN_GAIN = 0.1  # a further sentence must add this share of the question's (IDF-weighted) words
NEAR_REPEAT = 0.6  # character-bigram Jaccard at which two sentences say the same thing
SEVERAL_ITEMS = re.compile(r"哪几|哪些|几条|几项")
SUPPORT_DEPTH = 3  # passages whose text (with title and headings) the support score reads
# Words that say how a question is asked, not what about: a document need not contain them.
FRAMING = frozenset(
    {
        "名字",
        "叫",
        "多长",
        "多久",
        "时间",
        "长时间",
        "多长时间",
        "总共",
        "大约",
        "处理",
        "依据",
        "说法",
        "文件",
        "材料",
        "本地",
        "党课",
        "一堂",
        "准备",
        "杂志",
        "那份",
        "这项",
        "分别",
        "表现",
        "情况",
        "做法",
        "内容",
        "方面",
        "具体",
    }
)
CONTEXT_WEIGHT = 0.5  # a question word found only in the sentence's title/headings counts this much
LENGTH_COST = 0.0005  # of two sentences holding the same words, the shorter says it more plainly


def query_terms(text: str, library: Library) -> QueryTerms:
    """The question's words in the library's own tokenizer (policy terms, stopwords), weighted by IDF;
    words that only say how it is asked (FRAMING) left out."""
    return QueryTerms({w: v for w, v in library.term_weights(text).items() if w not in FRAMING})


def support_score(query: str, terms: QueryTerms, hits: list[Hit]) -> float:
    """In [0, 1]: the IDF-weighted share of the question's words that the best passages contain.

    A question that asks which checklist item a behaviour is scores 1 when the
    checklist has items among the hits: the nearest items are its answer by
    construction, and they share the behaviour's meaning, not its words.
    """
    if CHECKLIST_QUESTION.search(query) and any(h.passage.item for h in hits):
        return 1.0
    return terms.share("\n".join(_context(h) + h.passage.text.lower() for h in hits[:SUPPORT_DEPTH]))


def _context(hit: Hit) -> str:
    return f"{hit.meta.title} {hit.passage.section_path}\n".lower()


@dataclass
class Candidate:
    """A sentence of a retrieved passage, scored against the question."""

    text: str
    hit: Hit
    rank: int
    position: int
    words: frozenset[str] = field(default=frozenset())  # question words the sentence itself holds
    score: float = 0.0


def sentence_candidates(terms: QueryTerms, hits: list[Hit]) -> list[Candidate]:
    """Every sentence of the passages, scored by the question words it holds.

    Words found only in its title/headings ("2020年作风整顿方案") count at
    CONTEXT_WEIGHT, alike for every sentence of the passage: they pick the
    document, the sentence's own words pick the sentence.
    """
    cands = []
    for rank, hit in enumerate(hits):
        context = _context(hit)
        for position, raw in enumerate(sentences(hit.passage.text)):
            text = plain(raw)
            if cjk_length(text) < MIN_CJK:
                continue
            low = text.lower()
            words = terms.found(low)
            named = terms.weight(terms.found(context) - words)
            score = (terms.weight(words) + CONTEXT_WEIGHT * named - LENGTH_COST * len(text)) / (
                1 + 0.1 * rank
            )
            cands.append(Candidate(text, hit, rank, position, words, score))
    return cands


@dataclass(frozen=True)
class Sentence:
    """One sentence of the answer and the citation numbers that bear it out."""

    text: str
    cites: tuple[int, ...]


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


def unsupported(query: str, hits: list[Hit]) -> Answer:
    """No citations: the one sentence is about the documents, not from them; `nearest` shows why."""
    return Answer(query, (Sentence(UNSUPPORTED, ()),), False, (), (), tuple(hits[:NEAREST]))


def prefer_newer(cands: list[Candidate], newer: dict[str, str]) -> None:
    """A sentence from a superseded document ranks below a comparable one from its successor."""
    best: dict[str, float] = {}
    for c in cands:
        best[c.hit.passage.doc_id] = max(best.get(c.hit.passage.doc_id, 0.0), c.score)
    for c in cands:
        successor = newer.get(c.hit.passage.doc_id)
        if successor is not None and best.get(successor, 0.0) >= 0.8 * c.score:
            c.score *= 0.5


def pick(terms: QueryTerms, cands: list[Candidate], most: int = MAX_SENTENCES) -> list[Candidate]:
    """The best sentence, then close runners-up that add question words not yet covered.

    A close runner-up adding nothing new is kept only to reach MIN_SENTENCES;
    near-repeats never. Returned in reading order (passage rank, then position).
    """
    pool = sorted((c for c in cands if c.score > 0), key=lambda c: -c.score)
    if not pool:
        return []
    chosen = [pool.pop(0)]
    covered = chosen[0].words
    pool = [c for c in pool if c.score >= RELATIVE * chosen[0].score]
    while pool and len(chosen) < most:
        best = max(pool, key=lambda c: (terms.weight(c.words - covered), c.score))
        if terms.weight(best.words - covered) < MIN_GAIN:
            if len(chosen) >= MIN_SENTENCES:
                break
            best = pool[0]
        pool.remove(best)
        grams = cjk_bigrams(best.text)
        if all(jaccard(grams, cjk_bigrams(x.text)) < NEAR_REPEAT for x in chosen):
            chosen.append(best)
            covered |= best.words
    return sorted(chosen, key=lambda c: (c.rank, c.position))


def extractive(terms: QueryTerms, hits: list[Hit], newer: dict[str, str]) -> list[Draft]:
    """The picked sentences, each citing its passage; the best passage whole when none qualifies."""
    cands = sentence_candidates(terms, hits[:NEAREST])
    prefer_newer(cands, newer)
    drafts: list[Draft] = [(as_sentence(c.text), (c.hit,)) for c in pick(terms, cands)]
    return drafts or [(as_sentence(hits[0].passage.text), (hits[0],))]


def matched_items(query: str, hits: list[Hit]) -> list[Hit]:
    """Checklist item passages the question is about: the best, plus close runners-up in the top 3."""
    first = next((h for h in hits if h.passage.item), None)
    if first is None or not (CHECKLIST_QUESTION.search(query) or hits[0].passage.item):
        return []
    several = bool(SEVERAL_ITEMS.search(query))
    floor = first.score * (0.85 if several else 0.95)
    close = [h for h in hits[:3] if h.passage.item and h is not first and h.score >= floor]
    return [first, *close][: 3 if several else 2]


def checklist_drafts(library: Library, items: list[Hit], newer: dict[str, str]) -> list[Draft]:
    """The item(s) as "属于《清单》第N条（方面）：…", then the plans' measures against the first one."""
    drafts: list[Draft] = []
    for i, hit in enumerate(items):
        item = hit.passage.item
        assert item is not None
        lead = f"属于《{item.checklist}》第{item.number}条" if i == 0 else f"也可能涉及第{item.number}条"
        drafts.append((as_sentence(f"{lead}（{item.category}）：{item_text(item)}"), (hit,)))
    first = items[0].passage.item
    assert first is not None
    found = [h for h in library.search(f"{item_text(first)} 整改措施", 10) if h.passage.item is None]
    plans = [h for h in found if h.meta.kind in PLAN_KINDS] or found
    cands = [
        c
        for c in sentence_candidates(query_terms(item_text(first), library), plans)
        if MEASURE.search(c.text)
    ]
    for c in cands:
        c.score += 0.2 * len(MEASURE.findall(c.text))
    offered = {c.hit.passage.doc_id for c in cands}
    cands = [c for c in cands if newer.get(c.hit.passage.doc_id) not in offered]  # the newer plan's measures
    best: dict[str, Candidate] = {}
    for c in sorted(cands, key=lambda c: -c.score):
        best.setdefault(c.hit.passage.id, c)
    for c in sorted(best.values(), key=lambda c: -c.score)[:2]:
        drafts.append((as_sentence(f"相关整改措施：{c.text}"), (c.hit,)))
    return drafts


def compose_answer(query: str, library: Library, llm: LLMClient | None = None, k: int = 8) -> Answer:
    """The cited answer to `query` from the passages `library` finds; never raises for an LLM failure."""
    hits = library.search(query, k)
    terms = query_terms(query, library)
    if not hits or support_score(query, terms, hits) < SUPPORT_THRESHOLD:
        return unsupported(query, hits)
    newer = library.superseded_by()
    item_hits = matched_items(query, hits)
    items = tuple(h.passage.item for h in item_hits if h.passage.item)
    fallback = checklist_drafts(library, item_hits, newer) if item_hits else extractive(terms, hits, newer)
    drafts, notice = llm.answer_or(query, hits, fallback) if llm is not None else (fallback, "")
    return assemble(query, drafts, items, hits, notice)
