"""The official-document structure parser: heading chains over character spans.

Citations print a section path (计划 › （三）… › 5.开展问题集中整改), and the
chunker must never let a passage cross a heading, so the parser returns every
body span with the heading chain above it. Nesting follows the order in which
marker kinds first appear within a part (GB/T 9704 usage, but documents do
deviate); a marker kind already seen pops back to its level.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.headings import heading_kind, kind_named


@dataclass(frozen=True)
class Section:
    """The body span [start, end) of `text` under the heading chain `path`."""

    path: tuple[str, ...]
    start: int
    end: int


@dataclass(frozen=True)
class _Line:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class _Heading:
    first: int  # index of its first line
    last: int  # index of its last line (a title may be split over lines)
    key: str  # "root", "md<level>", "plain" or a HeadingKind name
    title: str
    inline: bool  # a numbered paragraph: the heading line is body too


# A part title ends with a document type, maybe with a short note: …行动计划（2025-2027年）.
PART_TITLE = re.compile(
    r"(?:通知|计划|方案|清单|要点|意见|办法|规定|条例|准则|细则|章程|决定|决议|纲要|规则|规划|报告)》?"
    r"(?:[（(][^（）()]{1,12}[）)])?$"
)
# A date standing alone (成文日期), in Arabic or Chinese numerals: year, month, day.
DATE_LINE = re.compile(
    r"^([\d〇零一二三四五六七八九十]{4})年([\d一二三四五六七八九十]{1,3})月([\d一二三四五六七八九十]{1,3})日$"
)
_MD = re.compile(r"^(#{1,6})\s+(.*)$")
_NOT_TITLE = re.compile(r"[，,：:；;。！？!?\t]|^[-*+>|\[]")
_SENTENCE = re.compile(r"[。！？；!?;]")
_TITLE_END = re.compile(r"[。！？；!?;：:]")
_CHAPTER_KINDS = ("bian", "zhang", "jie")
MAX_TITLE = 40


def parse_sections(text: str) -> list[Section]:
    """Every non-empty body span of `text`, in order, with its heading chain."""
    lines = _split_lines(text)
    markdown = any(_MD.match(x.text) for x in lines)
    return _nest(text, lines, _find_headings(lines, markdown))


def tidy_title(raw: str) -> str:
    """Heading text as printed in a path: no markdown emphasis, single spaces."""
    return re.sub(r"\s+", " ", raw.replace("**", "")).strip()


def _split_lines(text: str) -> list[_Line]:
    out, pos = [], 0
    for raw in text.split("\n"):
        out.append(_Line(pos, pos + len(raw), raw.strip()))
        pos += len(raw) + 1
    return out


def _is_title_like(s: str) -> bool:
    """A short line without clause punctuation: a title fragment, a signature or a label."""
    return (
        0 < len(s) <= MAX_TITLE
        and not _NOT_TITLE.search(s)
        and not heading_kind(s)
        and not DATE_LINE.match(s)
    )


def _lead_title(bare: str) -> str:
    """A numbered paragraph is headed by its first sentence: 5.开展问题集中整改。… → 5.开展问题集中整改."""
    title = _TITLE_END.split(tidy_title(bare), maxsplit=1)[0]
    if len(title) <= MAX_TITLE:
        return title
    comma = title.find("，", 4)
    return title[:comma] if 0 < comma <= MAX_TITLE else title[:MAX_TITLE] + "…"


def _marker_heading(i: int, bare: str) -> _Heading | None:
    kind = heading_kind(bare)
    if kind is None:
        return None
    if kind.name == "tiao":  # an article is always body; its number is the path element
        match = kind.pattern.match(bare)
        return _Heading(i, i, kind.name, tidy_title(match.group() if match else bare), True)
    if _SENTENCE.search(bare) or len(tidy_title(bare)) > 60 or bare.rstrip("*").endswith(("：", ":")):
        return _Heading(i, i, kind.name, _lead_title(bare), True)
    return _Heading(i, i, kind.name, tidy_title(bare), False)


def _next_filled(lines: list[_Line], i: int) -> int | None:
    return next((j for j in range(i, len(lines)) if lines[j].text), None)


def _find_headings(lines: list[_Line], markdown: bool) -> list[_Heading]:
    found: list[_Heading] = []
    i = 0
    while i < len(lines):
        s = lines[i].text
        md = _MD.match(s)
        if not s:
            i += 1
        elif md:
            found.append(_md_heading(i, len(md.group(1)), md.group(2), found, lines))
            if len(found) > 1 and found[-2].first == found[-1].first:
                del found[-2]  # merged into the heading above
            i += 1
        elif (h := _marker_heading(i, s.lstrip("*"))) is not None:
            found.append(h)
            i += 1
        elif _is_title_like(s):
            i = _title_block(lines, i, markdown, found)
        else:
            i += 1
    return found


def _md_heading(i: int, level: int, raw: str, found: list[_Heading], lines: list[_Line]) -> _Heading:
    """A markdown heading; one right under another (no body between) continues that title."""
    title = tidy_title(raw.strip("#"))
    kind = heading_kind(title)
    if kind is not None:
        return _Heading(i, i, kind.name, title, False)
    prev = found[-1] if found else None
    if (
        prev
        and prev.key.startswith("md")
        and _level(prev.key) < level
        and _next_filled(lines, prev.last + 1) == i
    ):
        sep = "" if title.startswith("——") else " "
        return _Heading(prev.first, i, prev.key, prev.title + sep + title, False)
    return _Heading(i, i, f"md{level}", title, False)


def _title_block(lines: list[_Line], i: int, markdown: bool, found: list[_Heading]) -> int:
    """Classify a run of title-like lines starting at `i`; return the index after what it used."""
    block = [i]
    j = i + 1
    while (nxt := _next_filled(lines, j)) is not None and _is_title_like(lines[nxt].text):
        block.append(nxt)
        j = nxt + 1
    after = _next_filled(lines, block[-1] + 1)
    texts = [lines[k].text for k in block]
    if not markdown:
        for n in range(len(block), 0, -1):
            if PART_TITLE.search("".join(texts[:n])):
                # A leading issuer line or document number is not part of the title.
                first = next((k for k in range(n) if "关于" in texts[k]), 0)
                found.append(
                    _Heading(block[0], block[n - 1], "root", tidy_title("".join(texts[first:n])), False)
                )
                return block[n - 1] + 1
    if after is not None and DATE_LINE.match(lines[after].text):
        return after + 1  # issuer and date: the signature of a notice
    if texts[0].startswith(("（", "(")):
        return block[-1] + 1  # a note such as （2020年2月26日…批准）
    if not markdown or (after is not None and heading_kind(lines[after].text.lstrip("*"))):
        found.append(_Heading(block[0], block[-1], "plain", tidy_title("".join(texts)), False))
    return block[-1] + 1


def _is_label(h: _Heading, lines: list[_Line], end: int) -> bool:
    """A markdown heading over lists or short lines only (masthead, contents) contains no other markdown heading."""
    body = [x.text for x in lines[h.last + 1 : end] if x.text]
    return bool(body) and not any(_SENTENCE.search(t) or len(t) >= MAX_TITLE for t in body)


def _nest(text: str, lines: list[_Line], headings: list[_Heading]) -> list[Section]:
    stack: list[tuple[str, str, bool]] = []  # (key, title, is_label)
    order: dict[str, int] = {}
    marks: list[tuple[tuple[str, ...], int, int]] = [((), 0, 0)]  # (path, body start, heading start)
    bounds = [h.first for h in headings[1:]] + [len(lines)] if headings else []
    for h, end in zip(headings, bounds, strict=True):
        key = h.key
        if key not in ("root", "plain") and not key.startswith("md") and _inside_article(stack, key):
            continue  # （一） items of a 第X条 belong to the article's text
        if key == "root":
            stack, order = [], {}
        elif key.startswith("md"):
            while stack and (
                stack[-1][2] or not stack[-1][0].startswith("md") or _level(stack[-1][0]) >= _level(key)
            ):
                stack.pop()
            order = {}
        else:
            if key == "plain" and order:
                key = min(order, key=order.__getitem__)  # an unnumbered heading among numbered ones
            elif key not in order:
                same = order.get("plain") if key in _CHAPTER_KINDS else None
                order[key] = same if same is not None else max(order.values(), default=-1) + 1
            while stack and stack[-1][0] in order and order[stack[-1][0]] >= order[key]:
                stack.pop()
        stack.append((key, h.title, h.key.startswith("md") and _is_label(h, lines, end)))
        body = lines[h.first].start if h.inline else min(lines[h.last].end + 1, len(text))
        marks.append((tuple(t for _, t, _ in stack), body, lines[h.first].start))
    sections = []
    for n, (path, start, _) in enumerate(marks):
        end = marks[n + 1][2] if n + 1 < len(marks) else len(text)
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            sections.append(Section(path, start, end))
    return sections


def _level(key: str) -> int:
    return int(key[2:])


def _inside_article(stack: list[tuple[str, str, bool]], key: str) -> bool:
    tiao = kind_named("tiao")
    return any(k == "tiao" for k, _, _ in stack) and kind_named(key).rank > tiao.rank
