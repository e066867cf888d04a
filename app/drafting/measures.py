"""整改措施 for one problem: whole clauses from every document that say what to do about it.

A measure is a clause in the form of a requirement or an action ("能不开的坚决不开，可以合并
的坚决合并", "对懒政怠政、不作为的干部坚决调整下来"), never a heading, a result ("压减幅度
达55%") or a template's blank. Clauses come from the passages the search finds for the
problem in every document (regulations, 实施细则, plans, key points, the magazine's
experience), and are scored by meaning (the embedding model's cosine of clause and problem,
the teacher's cosine of its passage) and by the problem's own words. Weights were chosen on
the six `measures` questions of ../shared/eval/dev_qa2.jsonl (evals/score_drafts.py): a
small set, so they are round numbers that several neighbouring settings agree on.

Two things are kept apart from the rows: the plans' general way of rectifying (逐项制定整改
措施…销号制落实), said once for the whole ledger, and the 纪律处分条例 article a problem
would fall under, added to its row as a warning.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from app.drafting.citations import ARTICLE
from app.drafting.question import asks_item, search_as_asked
from app.drafting.text import (
    BOILERPLATE,
    HEADING_NUMBER,
    MEASURE,
    PLAN_KINDS,
    PROBLEM_KINDS,
    QueryTerms,
    cjk_bigrams,
    jaccard,
    marked_runs,
    plain,
)
from index.library import Library
from ingest.models import Hit

SEARCH_DEPTH = 40  # passages searched per problem: the dev measures sit up to rank 34
MAX_CLAUSE = 60  # characters: a longer sentence is offered as runs of its comma-separated pieces
MIN_CLAUSE = 8
MAX_PIECES = 4
# What a requirement or an action says: an obligation, a prohibition, or a verb of doing.
ACTION = re.compile(
    r"要|应当|必须|坚决|严禁|不得|不准|禁止|一律|不能|严格|坚持|建立|健全|完善|开展|实行|推行|加强|落实|"
    r"督促|定期|通报|组织|推动|提高|减少|精简|压缩|压减|控制|改进|优化|简化|延长|整治|问责|约谈|调整"
)
DONE = r"(?<![为除])了(?![解结])"  # "编印了", "较好地解决了"; not 为了, 除了, 了解, 了结
# Not things to do: results ("压减幅度达55%", "目前有50多个单位", "较好地解决了…"), problems ("落实不到位", "存在一些
# 不足", "政绩观错位"), a sanctioned behaviour and its sanction ("…造成较大损失的", "给予警告"), questions, preambles and template blanks.
NOT_A_MEASURE = re.compile(
    r"\d+(?:\.\d+)?\s*[%％]|\d+多?[个项条家名]|取得|好评|得到|目前|已经|"
    + DONE
    + r"|初步形成|如下|[?？]|XX|××|[（(]\s*[)）]|"
    r"不到位|不足|不够|不力|不强|不严|错位|背离|存在|流于形式|漠然|推三阻四|的$|给予(?:警告|严重警告|撤销|留党察看|开除)"
)
# A sentence that reports what was done ("编印了机关党组织通讯录，建立Q群、微信群…", "期间，我委还多次开展专题讲座")
# or says what something is or how it goes ("…是一个长期的历史过程", "组织不易，…频率不高"): background, not a
# requirement or an action, though a piece of it read alone ("建立Q群、微信群…") looks like one.
REPORT = re.compile(DONE + r"|我们|我[委局部办处厅]|^期间|是一[个项种]|不易")
_SENTENCE = re.compile(r"[^。！？；;!?\n]+[。！？；;!?]?")
_PIECE = re.compile(r"[^，,]+[，,]?")
_ENDS = re.compile(r"[。！？；;!?]$")
PROBLEM_LIST = re.compile(r"问题|不足|表现|现象|危险")  # a lead announcing what goes wrong
HEADING_UNDER = 30  # an unpunctuated line shorter than this is a heading
MEANING, WORDS, PASSAGE_MEANING = 1.0, 2.0, 3.0  # score weights (see the module docstring)
# A problem no checklist item matches may still be one the documents address. It gets measures by
# meaning when the teacher model finds a passage this near (multilingual-e5-small's cosine: the six dev
# `measures` questions reach 0.902-0.914 at their best passage; 办公室空调温度, 单位停车位, 食堂伙食
# 0.879-0.884, though 干部职工食堂伙食质量 reaches 0.900); otherwise, or with no teacher vectors, only
# measures holding TOPICAL of its own words. Clause scores cannot tell the two apart: the teacher's
# passage cosine sits near 0.88 for anything in this library.
IN_DOMAIN = 0.89
TOPICAL = 0.2
SPECIFIC = 3  # measures specific to a problem; a fourth place is the warning article's
SAME_WORDING = 0.5  # bigram Jaccard at which two clauses say the same thing
ROWS_PER_CLAUSE = 2  # a clause serves at most this many rows of one ledger
PENALTY_TITLE = "纪律处分条例"
WARNING_SHARE = 0.3  # share of the problem's words a sanctioned behaviour must hold
METHOD_WORDS = "整改措施 整改时限 台账 销号 集中整治"  # how plans word the way to rectify


@dataclass(frozen=True)
class Clause:
    """A clause of a passage, offered as one measure, with the score it got for the problem."""

    text: str
    hit: Hit
    score: float


def clauses(text: str) -> list[str]:
    """The passage's sentences at most MAX_CLAUSE long, a longer one as runs of its comma pieces;
    headings (short unpunctuated lines) and numbering dropped."""
    return [run for raw in _SENTENCE.findall(text) for run in _runs(raw)]


def measure_clauses(text: str) -> list[str]:
    """The clauses of the passage's sentences that may hold a measure: none of a sentence that reports
    what was done or says what something is (REPORT), however its pieces read alone."""
    return [run for raw in _SENTENCE.findall(text) if not REPORT.search(raw) for run in _runs(raw)]


def _runs(raw: str) -> list[str]:
    """One sentence whole, or as runs of up to MAX_PIECES comma pieces when it is longer than MAX_CLAUSE."""
    sentence = HEADING_NUMBER.sub("", plain(raw)).strip()
    if len(sentence) < MIN_CLAUSE or (not _ENDS.search(sentence) and len(sentence) < HEADING_UNDER):
        return []
    pieces = _PIECE.findall(sentence) if len(sentence) > MAX_CLAUSE else [sentence]
    found: list[str] = []
    for i in range(len(pieces)):
        for j in range(i + 1, min(i + MAX_PIECES, len(pieces)) + 1):
            run = "".join(pieces[i:j])
            if len(run) > MAX_CLAUSE:
                break
            found.append(run.strip().rstrip("，,；;。").strip("“”\"'"))
    return found


def is_measure(text: str) -> bool:
    """A requirement or an action of a sensible length, not a result, question or blank, nor a clause
    that hands the work on ("制定…贯彻落实办法", "由中央另行规定")."""
    return (
        len(text) >= MIN_CLAUSE
        and bool(ACTION.search(text))
        and not NOT_A_MEASURE.search(text)
        and not BOILERPLATE.search(text)
    )


def listed_problems(text: str) -> list[str]:
    """The elements of the problem lists in a text ("着重解决以下7个问题：①精神缺钙。…②状态不佳。…")."""
    return [
        plain(text[e.start : e.end])
        for run in marked_runs(text)
        if PROBLEM_LIST.search(run.lead)
        for e in run.elements
    ]


def problem_descriptions(library: Library, hits: Sequence[Hit]) -> list[str]:
    """The elements of the problem lists in these passages' sections ("着重解决以下7个问题：…⑤担当不够。在其位
    不谋其政，推推动动、不推不动…"): what goes wrong, worded like anything else, never a measure."""
    return [
        element
        for _, parts in library.sections(hits)
        for element in listed_problems("\n".join(p.passage.text for p in parts))
    ]


def candidates(
    about: str, hits: Sequence[Hit], terms: QueryTerms, library: Library, meanings: np.ndarray | None = None
) -> list[Clause]:
    """Every measure-shaped clause of the passages, scored for the problem, best first; `meanings`: the
    passages' teacher cosines when the caller has them already."""
    described = problem_descriptions(library, hits)
    offered = [
        (text, hit)
        for hit in hits
        for text in measure_clauses(hit.passage.text)
        if is_measure(text) and not any(text in d for d in described)
    ]
    if not offered:
        return []
    texts = [text for text, _ in offered]
    meaning = library.similarity(about, texts)
    if meanings is None:
        meanings = library.meaning(about, hits)
    passage_meaning = dict(zip((h.passage.id for h in hits), meanings, strict=True))
    scored = [
        Clause(
            text,
            hit,
            float(
                MEANING * m
                + WORDS * terms.share(text.lower())
                + PASSAGE_MEANING * passage_meaning[hit.passage.id]
            ),
        )
        for (text, hit), m in zip(offered, meaning, strict=True)
    ]
    return sorted(scored, key=lambda c: -c.score)


def specific_measures(
    about: str,
    terms: QueryTerms,
    library: Library,
    used: Counter[str] | None = None,
    exclude: frozenset[str] = frozenset(),
    matched: bool = True,
) -> list[Clause]:
    """Up to SPECIFIC measures for the problem: one per passage, no two alike, none another
    ROWS_PER_CLAUSE rows already carry (`used`), none in `exclude`. A problem no checklist item
    matched (`matched` False) and no passage is near in meaning (IN_DOMAIN) gets only TOPICAL ones."""
    hits = [
        h
        for h in search_as_asked(library, about, SEARCH_DEPTH)
        if h.passage.item is None and h.meta.kind not in PROBLEM_KINDS
    ]
    meanings = library.meaning(about, hits)
    topical_only = not matched and not (len(hits) and meanings.max() >= IN_DOMAIN)
    used = used if used is not None else Counter()
    chosen: list[Clause] = []
    for clause in candidates(about, hits, terms, library, meanings):
        if len(chosen) == SPECIFIC:
            break
        grams = cjk_bigrams(clause.text)
        if (
            clause.text in exclude
            or (topical_only and terms.share(clause.text.lower()) < TOPICAL)
            or used[clause.text] >= ROWS_PER_CLAUSE
            or any(c.hit.passage.id == clause.hit.passage.id for c in chosen)
            or any(jaccard(grams, cjk_bigrams(c.text)) >= SAME_WORDING for c in chosen)
        ):
            continue
        chosen.append(clause)
    used.update(c.text for c in chosen)
    return chosen


def warning(about: str, terms: QueryTerms, library: Library) -> Clause | None:
    """The 纪律处分条例 article whose listed behaviour is this problem, as "警示：《条例》第X条……"."""
    scope = [d.id for d in library.documents() if PENALTY_TITLE in d.meta.title]
    if not scope:
        return None
    best: tuple[float, str, Hit] | None = None
    for hit in library.search(about, 10, scope, asks_item(about)):
        section = hit.passage.section[-1] if hit.passage.section else ""
        if hit.passage.doc_id not in scope or not ARTICLE.match(section):
            continue
        for text in clauses(hit.passage.text):
            share = terms.share(text.lower())
            if share >= WARNING_SHARE and (best is None or share > best[0]):
                best = (share, text, hit)
    if best is None:
        return None
    _, text, hit = best
    number = ARTICLE.match(hit.passage.section[-1])
    assert number is not None
    return Clause(f"警示：《{hit.meta.title}》{number.group()}所列“{text}”的，将依纪追究责任", hit, 0.0)


def general_requirement(library: Library) -> Clause | None:
    """The plans' way of rectifying any problem (逐项制定整改措施、明确责任和整改时限、台账式
    管理、销号制落实): the sentence of a plan richest in that wording, said once per ledger."""
    best: Clause | None = None
    for hit in search_as_asked(library, METHOD_WORDS, 20):
        if hit.passage.item is not None or hit.meta.kind not in PLAN_KINDS:
            continue
        for raw in _SENTENCE.findall(hit.passage.text):
            text = HEADING_NUMBER.sub("", plain(raw)).strip().rstrip("；;。")
            count = len(MEASURE.findall(text))
            if count >= 2 and (best is None or count > best.score):
                best = Clause(text, hit, float(count))
    return best
