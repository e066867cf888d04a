"""Sentences cut from passages and scored by the question's words: the extractive core of every draft.

A sentence scores by the IDF-weighted share of the question's words it holds (words found only in
its document title or headings count at CONTEXT_WEIGHT); the best is taken, then close runners-up
that add words not yet covered. Nothing is said that the documents do not say.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.drafting.citations import Draft
from app.drafting.text import (
    BOILERPLATE,
    MIN_CJK,
    QueryTerms,
    as_sentence,
    cjk_bigrams,
    cjk_length,
    jaccard,
    plain,
    row_text,
    sentences,
)
from index.library import Library
from ingest.models import Hit

NEAREST = 5  # passages an answer is drawn from (and shown instead of one)
MIN_SENTENCES, MAX_SENTENCES = 2, 5
RELATIVE = 0.6  # a further sentence must score at least this share of the best one
MIN_GAIN = 0.1  # a further sentence must add this share of the question's (IDF-weighted) words
NEAR_REPEAT = 0.6  # character-bigram Jaccard at which two sentences say the same thing
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
        "分成",
        "大块",
        "类型",
        "归类",
    }
)
# Question words ("哪几种", "几大块", "多少"): a document never holds them, and IDF would make them weigh most.
ASKING = re.compile(r"[几哪]|什么|怎么|怎样|如何|多少|多久")
ASKED_NEAR = 6  # characters either side of the asking word that name what a fact is asked of
_CLAUSE = re.compile(r"[，,；;。？?！!]")
# "X是什么 / X指什么 / X具体指哪些" (not "…是什么时候/什么意思"): X is asked to be spelled out.
WHAT_IS = re.compile(r"([^，。？?、\s]{2,12}?)(?:是什么(?![时意原])|指什么|具体指|的内容是什么|有哪些内容)")
DEFINES_BONUS = 0.2  # added, with the score doubled, to a sentence that spells the asked thing out
CONTEXT_WEIGHT = 0.5  # a question word found only in the sentence's title/headings counts this much
LENGTH_COST = 0.0005  # of two sentences holding the same words, the shorter says it more plainly


def query_terms(text: str, library: Library) -> QueryTerms:
    """The question's words in the library's own tokenizer (policy terms, stopwords), weighted by IDF;
    words that only say how it is asked (FRAMING) left out."""
    return QueryTerms(
        {w: v for w, v in library.term_weights(text).items() if w not in FRAMING and not ASKING.search(w)}
    )


def asked_of(question: str, terms: QueryTerms) -> frozenset[str]:
    """The question's words that say what a fact is asked of: after the last 的 before its asking word
    ("夜校的学费是多少" → 学费, "夜校的授课老师是谁" → 授课、老师), else those beside the asking word in
    its clause ("全年学习多少次"); empty when there are none."""
    found = ASKING.search(question) or re.search("谁", question)
    if found is None:
        return frozenset()
    before = [m.end() for m in _CLAUSE.finditer(question, 0, found.start())]
    after = _CLAUSE.search(question, found.end())
    clause = before[-1] if before else 0
    possessive = question.rfind("的", clause, found.start())
    start = possessive + 1 if possessive >= 0 else max(clause, found.start() - ASKED_NEAR)
    window = question[start : min(after.start() if after else len(question), found.end() + ASKED_NEAR)].lower()
    return frozenset(w for w in terms.idf if w in window)


def context(hit: Hit) -> str:
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


def signature(text: str, hit: Hit) -> bool:
    """The line a document is signed with ("中共东莞市委党的建设工作领导小组"): its issuer's name, no content."""
    name = text.strip().rstrip("。")
    return bool(name) and bool(hit.meta.issuer) and name in hit.meta.issuer


def sentence_candidates(terms: QueryTerms, hits: list[Hit], clauses: bool = True) -> list[Candidate]:
    """Every sentence of the passages, scored by the question words it holds.

    Words found only in its title/headings ("2020年作风整顿方案") count at
    CONTEXT_WEIGHT, alike for every sentence of the passage: they pick the
    document, the sentence's own words pick the sentence. `clauses` False keeps a sentence whole
    across "；" (a list, the grades of an article).
    """
    cands = []
    for rank, hit in enumerate(hits):
        heads = context(hit)
        row = row_text(hit.passage)
        for position, raw in enumerate([row] if row else sentences(hit.passage.text, clauses)):
            text = plain(raw)
            if cjk_length(text) < MIN_CJK or BOILERPLATE.search(text) or signature(text, hit):
                continue
            low = text.lower()
            words = terms.found(low)
            named = terms.weight(terms.found(heads) - words)
            score = (terms.weight(words) + CONTEXT_WEIGHT * named - LENGTH_COST * len(text)) / (
                1 + 0.1 * rank
            )
            cands.append(Candidate(text, hit, rank, position, words, score))
    return cands


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


def asked_thing(question: str, library: Library) -> str | None:
    """The last word of what a "…是什么" question asks about ("入党誓词是什么" → 誓词, "工作目标是什么" →
    目标); None when it asks no such thing or the word is a single character."""
    found = WHAT_IS.search(question)
    words = library.words(found.group(1)) if found else ()
    return words[-1] if words and len(words[-1]) >= 2 else None


def defining(question: str, library: Library) -> re.Pattern[str] | None:
    """ "入党誓词是什么？" asks for what the documents spell out: a sentence that introduces the thing's
    last word ("誓词如下：…", "四强即…", "…是指…"). None when the question asks no such thing."""
    thing = asked_thing(question, library)
    return re.compile(re.escape(thing) + r"[^。，；]{0,4}?(?:如下|是指|即|指的是)[：:，]?") if thing else None


def extractive(
    terms: QueryTerms, hits: list[Hit], newer: dict[str, str], defines: re.Pattern[str] | None = None
) -> list[Draft]:
    """The picked sentences, each citing its passage; the best passage whole when none qualifies.
    `defines`: a sentence introducing the asked thing comes first (see `defining`)."""
    cands = sentence_candidates(terms, hits[:NEAREST])
    for c in cands:
        if defines is not None and defines.search(c.text):
            c.score = 2 * c.score + DEFINES_BONUS
    prefer_newer(cands, newer)
    drafts: list[Draft] = [(as_sentence(c.text), (c.hit,)) for c in pick(terms, cands)]
    return drafts or [(as_sentence(hits[0].passage.text), (hits[0],))]
