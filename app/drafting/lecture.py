"""党课提纲: a theme in plain words → a five-part lecture outline, every point a cited sentence.

Each part searches the library with the theme (widened by a few words of the
usual policy vocabulary) and keeps the documents of its kind: regulations for
the basis, plans for the deployments and the measures, checklist items and
earlier problem lists for the self-examination, the magazine for examples. A
point is the sentence of a passage that holds most of the theme's words (the
scorer of app/drafting/composer.py); with an LLM the points of a part may be rephrased,
and a rephrasing its passages do not bear out is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from app.drafting.citations import Sentence, Sources, as_edited, mark, short_reference
from app.drafting.extract import Candidate, prefer_newer, query_terms, sentence_candidates
from app.drafting.question import search_as_asked
from app.drafting.text import (
    HEADING_NUMBER,
    LAW_KINDS,
    MEASURE,
    PLAN_KINDS,
    cjk_bigrams,
    heading_only,
    item_text,
    jaccard,
)
from index.library import Library
from ingest.models import Hit

if TYPE_CHECKING:
    from app.drafting.llm import LLMClient

PROBLEM_CUE = re.compile(r"问题|表现|查摆")
STEER_CUE = re.compile(r"整改|措施|要求|机制")
# The usual policy vocabulary around a theme: retrieval finds its passages even where the theme's own
# words are rare in the library ("减负" stands in one sentence of the bundled corpus).
THEME_WORDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile("减负"), "形式主义 文山会海 督查检查考核 过度留痕 精简会议"),
    (re.compile("形式主义|官僚主义"), "形式主义 官僚主义 文山会海 督查检查考核 推诿扯皮 脱离实际"),
    (re.compile("八项规定|四风|作风"), "中央八项规定 四风 会议活动 文件简报 公务接待 违规吃喝 作风建设"),
    (re.compile("模范机关"), "模范机关创建 作风建设 执行有效 服务型 机关党建"),
)
POINTS_PER_PART = 3
PLACEHOLDER = re.compile(r"XX|××")  # a template's blanks ("XX同志负责…") are no point to make
# An example must hold this share of the theme's own words (IDF-weighted; not the added policy words):
# the magazine's stories share the vocabulary of every theme ("基层", "精神"), and an off-theme story
# is worse than none.
EXAMPLE_SHARE = 0.5
SEARCH_DEPTH = 300  # a kind's passages can rank below hundreds of another kind's (regulations vs local plans)


def _is_law(hit: Hit) -> bool:
    """A provision: an article or a numbered rule of a regulation, not its preamble."""
    section = hit.passage.section[-1] if hit.passage.section else ""
    return hit.meta.kind in LAW_KINDS and bool(HEADING_NUMBER.match(section))


def _is_plan(hit: Hit) -> bool:
    return hit.meta.kind in PLAN_KINDS and hit.passage.item is None


def _is_problem(hit: Hit) -> bool:
    return hit.passage.item is not None or (
        _is_plan(hit) and bool(PROBLEM_CUE.search(hit.passage.section_path))
    )


def _is_measure(hit: Hit) -> bool:
    return _is_plan(hit) and bool(
        MEASURE.search(hit.passage.text) or STEER_CUE.search(hit.passage.section_path)
    )


def _is_example(hit: Hit) -> bool:
    return hit.meta.kind == "刊物"


@dataclass(frozen=True)
class Part:
    """One part of the outline: its heading, the words added to the search, the passages it keeps."""

    name: str
    words: str
    keeps: Callable[[Hit], bool]


PARTS = (
    Part("一、学习依据", "规定 条例 准则", _is_law),
    Part("二、上级和本市部署", "部署 要求 推动", _is_plan),
    Part("三、对照查摆", "问题 清单 查摆 表现", _is_problem),
    Part("四、整改措施和工作要求", "整改措施 工作要求 机制", _is_measure),
    Part("五、身边案例", "做法 成效 经验", _is_example),
)
PART_NAMES = tuple(p.name for p in PARTS)


@dataclass(frozen=True)
class Point(Sentence):
    """One point: a cited sentence, the part it sits in and a short lead (where it comes from)."""

    part: str = ""
    lead: str = ""


@dataclass(frozen=True)
class Outline:
    """The outline and the passages its points cite, numbered in reading order."""

    theme: str
    points: tuple[Point, ...]
    sources: Sources = field(default_factory=Sources)
    notice: str = ""
    empty_part: ClassVar[str] = "（文件库中没有找到与本主题直接相关的内容，请结合本单位实际补充。）"

    @property
    def title(self) -> str:
        return f"“{self.theme}”专题党课提纲"

    def parts(self) -> list[tuple[str, list[Point]]]:
        return [(name, [p for p in self.points if p.part == name]) for name in PART_NAMES]

    def rows(self) -> list[dict[str, Any]]:
        """The points as the page's editor shows them (保留, 部分, 序号, 要点, 出处)."""
        return [
            {"保留": True, "部分": p.part, "序号": i, "要点": p.text, "出处": mark(*p.cites) + p.lead}
            for name, points in self.parts()
            for i, p in enumerate(points, start=1)
        ]


def expanded(theme: str) -> str:
    """The theme and the policy words that usually go with it."""
    extra = " ".join(words for pattern, words in THEME_WORDS if pattern.search(theme))
    return f"{theme} {extra}".strip()


def _sentence(text: str) -> str:
    text = HEADING_NUMBER.sub("", text).strip().rstrip("；;，,：:")
    return text if text.endswith(("。", "！", "？")) else text + "。"


def _point_text(cand: Candidate) -> str:
    item = cand.hit.passage.item
    return _sentence(item_text(item) if item else cand.text)


def pick_points(
    part: Part, theme: str, library: Library, used: set[str], newer: dict[str, str]
) -> list[Candidate]:
    """The part's best sentences: one per passage, none from a passage another part cites, no near-repeats."""
    about = expanded(theme)
    hits = [
        h
        for h in search_as_asked(library, f"{about} {part.words}", SEARCH_DEPTH)
        if part.keeps(h) and h.passage.id not in used
    ]
    cands = [
        c
        for c in sentence_candidates(query_terms(about, library), hits[:12])
        if not PLACEHOLDER.search(c.text) and not heading_only(c.text, c.hit.passage.section)
    ]
    if part.keeps is _is_example:
        own = query_terms(theme, library)
        cands = [c for c in cands if own.share(c.text.lower()) >= EXAMPLE_SHARE]
    prefer_newer(cands, newer)
    if part.keeps is _is_measure:
        for c in cands:
            c.score += 0.2 * len(MEASURE.findall(c.text))
    chosen: list[Candidate] = []
    for c in sorted((c for c in cands if c.words), key=lambda c: -c.score):
        grams = cjk_bigrams(c.text)
        if c.hit.passage.id in {x.hit.passage.id for x in chosen}:
            continue
        if all(jaccard(grams, cjk_bigrams(x.text)) < 0.6 for x in chosen):
            chosen.append(c)
        if len(chosen) == POINTS_PER_PART:
            break
    used.update(c.hit.passage.id for c in chosen)
    return chosen


def build_outline(theme: str, library: Library, llm: LLMClient | None = None) -> Outline:
    """The outline for `theme`; a part the library says nothing about stays empty, not invented."""
    used, notice = set[str](), ""
    newer = library.superseded_by()
    drafts: list[tuple[str, str, tuple[Hit, ...]]] = []  # part, text, cited passages
    for part in PARTS:
        chosen = pick_points(part, theme, library, used, newer)
        found: list[tuple[str, tuple[Hit, ...]]] = [(_point_text(c), (c.hit,)) for c in chosen]
        if llm is not None and chosen:  # the model's points, each checked against the passages it cites
            question = (
                f"为“{theme}”专题党课提纲的“{part.name}”部分，依据资料写出{len(chosen)}条要点，每条一句话。"
            )
            found, failed = llm.answer_or(question, [c.hit for c in chosen], found, POINTS_PER_PART)
            notice = failed or notice
        drafts += [(part.name, text, cited) for text, cited in found]
    sources = Sources()
    points = [
        Point(text, tuple(sources.cite(h) for h in cited), part=name, lead=short_reference(cited[0]))
        for name, text, cited in drafts
    ]
    return Outline(theme, tuple(points), sources, notice)


def edit_outline(outline: Outline, records: Sequence[Mapping[str, Any]]) -> Outline:
    """The outline as edited on the page: kept rows only, in part and 序号 order, citations renumbered.
    A point whose wording the user changed cites its passage as 参见［n］; a row the user added
    (no 出处) cites nothing."""
    kept = [
        r
        for r in records
        if r.get("保留") and str(r.get("要点") or "").strip() and r.get("部分") in PART_NAMES
    ]
    kept.sort(key=lambda r: (PART_NAMES.index(r["部分"]), float(r.get("序号") or 0)))
    sources, points = Sources(), []
    for r in kept:
        origin = str(r.get("出处") or "")
        marks = "".join(re.findall(r"［\d+］", origin))
        line = as_edited(str(r["要点"]).strip() + marks, outline.points, len(outline.sources))
        cites = tuple(sources.cite(outline.sources[n].hit) for n in line.cites)
        lead = re.sub(r"^(?:［\d+］)+", "", origin) if cites else ""
        points.append(Point(line.text, cites, line.rewritten, part=r["部分"], lead=lead))
    return Outline(outline.theme, tuple(points), sources, outline.notice)
