"""Heading markers of Chinese official documents and regulations.

Shared by the PDF line-rejoiner (a line never swallows the next heading) and
the structure parser (which nests them). Levels follow GB/T 9704 practice:
一、 › （一） › 1./1． › （1） › ①; regulations use 第X编 › 第X章 › 第X节 › 第X条.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CN_NUM = "零〇一二三四五六七八九十百千两"
_CN = f"[{CN_NUM}]+"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


@dataclass(frozen=True)
class HeadingKind:
    """One kind of heading marker; `rank` orders kinds from outermost (0) inward."""

    name: str
    rank: int
    pattern: re.Pattern[str]


# Order matters: the first pattern that matches a line decides its kind.
HEADING_KINDS: tuple[HeadingKind, ...] = (
    HeadingKind("markdown", -1, re.compile(r"^(#{1,6})\s+\S")),
    HeadingKind("bian", 0, re.compile(rf"^第{_CN}编(?:\s|$)")),
    HeadingKind("zhang", 1, re.compile(rf"^第{_CN}章(?:\s|$)")),
    HeadingKind("jie", 2, re.compile(rf"^第{_CN}节(?:\s|$)")),
    HeadingKind("tiao", 3, re.compile(rf"^第{_CN}条(?:[\s　]|$)")),
    HeadingKind("cn_dun", 4, re.compile(rf"^{_CN}、")),
    HeadingKind("cn_paren", 5, re.compile(rf"^[（(]{_CN}[）)]")),
    HeadingKind("arabic_dot", 6, re.compile(r"^\d{1,3}(?:[.．]|、)(?!\d)")),
    HeadingKind("arabic_paren", 7, re.compile(r"^[（(]\d{1,3}[）)]")),
    HeadingKind("circled", 8, re.compile(rf"^[{CIRCLED}]")),
)

_BY_NAME = {k.name: k for k in HEADING_KINDS}

# Sentence ends for Chinese text; a closing quote or bracket may follow the mark.
SENTENCE_END = re.compile(r"[。！？；!?;…]+[”’」』）)]*")


def heading_kind(line: str) -> HeadingKind | None:
    """The kind of heading marker `line` starts with, or None for body text."""
    stripped = line.lstrip(" \t\u3000")
    for kind in HEADING_KINDS:
        if kind.pattern.match(stripped):
            return kind
    return None


def starts_heading(line: str) -> bool:
    """True when the line opens with a heading marker (used to stop line joins)."""
    return heading_kind(line) is not None


def kind_named(name: str) -> HeadingKind:
    return _BY_NAME[name]


def ends_sentence(line: str) -> bool:
    """True when a line ends a sentence (or a title-like colon), so the next line is not joined to it."""
    stripped = line.rstrip(" \t\u3000").rstrip("”’」』）)")
    return bool(stripped) and stripped[-1] in "。！？；!?;：:…"
