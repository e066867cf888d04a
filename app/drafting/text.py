"""Shared text scoring for every draft: sentences, Chinese bigrams, weighted question words.

Answers, lecture points and ledger measures are all sentences cut from passages and scored by
the words of a question they hold; this module is the one place those rules live.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ingest.models import ChecklistItem, Passage

CJK_RUN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
SENTENCE = re.compile(r"[^。！？；!?\n]+[。！？；!?]?")
WHOLE_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")  # "；" kept inside: an article's grades, a list
MIN_CJK = 10  # shorter pieces are headings ("5.开展问题集中整改。"), not answers
# How a notice hands a document on ("现将《…》印发给你们，请认真贯彻执行"), or a rule hands the work on
# ("制定…贯彻落实办法", "由中央另行规定"): it answers nothing.
BOILERPLATE = re.compile(
    r"印发给你们|请认真贯彻执行|请结合实际认真贯彻落实"
    r"|(?:根据|按照)本(?:条例|细则|规定|准则|办法)[^。]{0,30}制定|制定[^。]{0,40}(?:实施办法|贯彻落实办法|实施细则)"
    r"|另行规定"
)
PLAN_KINDS = frozenset({"方案", "要点", "通知", "意见"})  # documents whose sentences are measures to take
LAW_KINDS = frozenset({"条例", "准则", "规定", "章程", "细则", "办法", "法律"})  # documents made of articles
PROBLEM_KINDS = frozenset({"清单"})  # documents listing problems: their introductions are no measures
# What an action in a plan looks like: the measures a checklist item is answered with.
MEASURE = re.compile(
    r"整改措施|整改时限|台账|销号|(?:建立|健全|完善)[^。；]{0,24}(?:机制|制度)|开展[^。；]{0,30}(?:整治|整改|专项|行动)"
)
# The numbering official documents put before a heading, item or article: "5.", "（三）", "二、", "第十六条".
# A short quoted name in a question ("“四个自信”", "“三级六岗”"): what list, problem or phrase it asks about.
QUOTED_SHORT = re.compile(r"[“\"]([^”\"]{2,12})[”\"]")
HEADING_NUMBER = re.compile(
    r"^\s*(?:\d+\s*[.．、]|[（(][\d一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+、|第[一二三四五六七八九十百零]+条)\s*"
)
_DOUBLED = re.compile(r"(.+?)[：:](.+)")
_ITEM_NUMBER = re.compile(r"^\s*\d+\s*[.．、]\s*")
_MARKDOWN = re.compile(r"\*\*|__|^#+\s*|^\s*[-*]\s+", re.MULTILINE)
# Layout white space next to Chinese punctuation ("要求 ：", "“ 三会一课 ”"): never meant.
_PUNCT_GAP = re.compile(r"\s+(?=[，。；：、！？）》”])|(?<=[，。；：、！？（《“])\s+")
_SPACES = re.compile(r"\s+")


def cjk_bigrams(text: str) -> set[str]:
    """Overlapping bigrams inside runs of Chinese characters: what "same wording" means here."""
    return {run[i : i + 2] for run in CJK_RUN.findall(text) for i in range(len(run) - 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def cjk_length(text: str) -> int:
    return sum(map(len, CJK_RUN.findall(text)))


def plain(text: str) -> str:
    """Source text as an answer shows it: no Markdown marks, no line breaks or doubled spaces, no space
    beside Chinese punctuation; a single space the text means ("第一条 党的", "强技能 优服务") stays."""
    return _PUNCT_GAP.sub("", _SPACES.sub(" ", _MARKDOWN.sub("", text))).strip()


def as_sentence(text: str) -> str:
    """A quoted clause ends like a sentence: "；" or nothing becomes "。"."""
    text = plain(text).rstrip("；;，,：:")
    return text if text.endswith(("。", "！", "？", "!", "?", "”")) else text + "。"


def sentences(text: str, clauses: bool = True) -> list[str]:
    """The text cut at sentence ends (and at "；" when `clauses`), each piece stripped."""
    return [s.strip() for s in (SENTENCE if clauses else WHOLE_SENTENCE).findall(text) if s.strip()]


def heading_only(text: str, headings: Sequence[str]) -> bool:
    """A point that says nothing but a heading: a title-like heading of its passage repeated
    ("结合调研深入查摆问题。"), or "标题：标题。". A heading that is itself a sentence with commas
    (the eight rules are headed by their own text) is content, not a heading to skip."""
    body = HEADING_NUMBER.sub("", text).strip().rstrip("。；;，, ")
    doubled = _DOUBLED.fullmatch(body)
    if doubled and doubled.group(1).strip() == doubled.group(2).strip():
        return True
    return "，" not in body and any(body == HEADING_NUMBER.sub("", h).strip().rstrip("。") for h in headings)


def number_of(text: str) -> int | None:
    """ "14", "十四", "二十", "两", "一百一十二" → the whole number (cn2an); None for anything else."""
    import cn2an

    try:
        value = cn2an.cn2an(text.strip(), "smart")
    except ValueError:
        return None
    return int(value) if float(value).is_integer() and value > 0 else None


def item_text(item: ChecklistItem) -> str:
    """A checklist item's wording without its number."""
    return _ITEM_NUMBER.sub("", item.text).strip()


def row_text(passage: Passage) -> str | None:
    """A table row as an answer quotes it, whole: its item and its cells named by their headers ("第3条：
    发展党员程序材料缺漏；整改措施：…；完成时限：…"), never bare cells run together; None for prose."""
    item = passage.item
    if item is None or item.text == passage.text:
        return None
    return "；".join(x for x in (f"{item.label}：{item_text(item)}", item.details) if x)


@dataclass(frozen=True)
class QueryTerms:
    """A question's content words with their IDF weights."""

    idf: dict[str, float]

    def found(self, text: str) -> frozenset[str]:
        return frozenset(w for w in self.idf if w in text)

    def weight(self, words: frozenset[str]) -> float:
        """IDF-weighted share of the question that `words` make up, in [0, 1]."""
        total = sum(self.idf.values())
        return sum(self.idf[w] for w in words) / total if total else 0.0

    def share(self, text: str) -> float:
        return self.weight(self.found(text))


# The numbered runs an article or paragraph spells its elements out in, after a lead ending in "：":
# "对党组织的问责方式包括：（一）检查。…（二）通报。…", "着重解决以下7个问题：①精神缺钙。…②状态不佳。…".
MARKERS = (
    tuple(f"（{n}）" for n in "一二三四五六七八九十"),
    tuple("①②③④⑤⑥⑦⑧⑨⑩"),
)
_LEAD_START = re.compile(r"[^。；;\n]*$")  # a lead is the clause before its "："
_NAME_NOTE = re.compile(r"([^。；;]*)[。；;]?(.*)", re.DOTALL)  # always matches
ELEMENT_NOTE = 60  # characters: an element's description this short is shown with its name


@dataclass(frozen=True)
class Element:
    """One numbered element of a run: where it stands in the text, and how a list shows it."""

    start: int
    end: int
    shown: str


@dataclass(frozen=True)
class MarkedRun:
    """A lead "…：" and the numbered elements that follow it."""

    lead: str
    elements: tuple[Element, ...]


def _shown(marker: str, segment: str) -> str:
    """An element as a list shows it: its marker and name, and its description when that is short."""
    paragraph = segment.strip().split("\n")[0]
    name, note = _NAME_NOTE.fullmatch(paragraph).groups()  # type: ignore[union-attr]
    note = plain(note).rstrip("。；;")
    return f"{marker}{plain(name)}" + (f"：{note}" if note and len(note) <= ELEMENT_NOTE else "")


def marked_runs(text: str) -> list[MarkedRun]:
    """Every lead "…：" followed at once by a numbered run of at least two markers. A run ends where its
    numbering stops or the next lead's run begins ("对党的领导干部的问责方式包括：（一）…" after the run
    for 党组织)."""
    runs: list[MarkedRun] = []
    for colon in re.finditer(r"[：:]\s*", text):
        start = colon.end()
        family = next((f for f in MARKERS if text.startswith(f[0], start)), None)
        if family is None:
            continue
        following = re.search(r"[：:]\s*" + re.escape(family[0]), text[start:])
        limit = start + following.start() if following else len(text)
        positions = [start]
        for marker in family[1:]:
            found = text.find(marker, positions[-1] + 1, limit)
            if found < 0:
                break
            positions.append(found)
        if len(positions) < 2:
            continue
        ends = [*positions[1:], limit]
        elements = tuple(
            Element(pos, end, _shown(family[i], text[pos + len(family[i]) : end]))
            for i, (pos, end) in enumerate(zip(positions, ends, strict=True))
        )
        lead_found = _LEAD_START.search(text[: colon.start()])
        lead = HEADING_NUMBER.sub("", plain(lead_found.group() if lead_found else "")).strip()
        runs.append(MarkedRun(lead, elements))
    return runs
