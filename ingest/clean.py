"""Text cleaning between loading and parsing.

Loaders hand over raw text; the structure parser and the chunker expect one
paragraph per line, no layout indentation and no noise. Cleaning never applies
NFKC: full-width Chinese punctuation is content (sentence ends, quotes), and
citations must quote the document as printed.
"""

from __future__ import annotations

import html
import re

from ingest.headings import ends_sentence, heading_kind

# Advertising / watermark lines of re-posted documents (seed 003's header block).
# Data, not logic: add a pattern here when a new site's boilerplate turns up.
NOISE_LINE_PATTERNS: tuple[str, ...] = (
    r"仅供学习",
    r"禁止外传",
    r"酷乐文行",
    r"自建平台",
    r"实时分享",
    r"订阅立享",
    r"打击倒卖",
    r"举报倒卖",
    r"会员群",
    r"QQ群",
    r"会员(?:资料|材料|权益)",
    r"扫码(?:关注|加入|领取)",
)
_NOISE = re.compile("|".join(NOISE_LINE_PATTERNS))
_NOISE_MAX_LEN = 60  # longer lines are prose that merely mentions a pattern

_INDENT = re.compile(r"^[ \u3000\xa0]+", re.M)  # tabs stay: they separate table cells
_TRAILING = re.compile(r"[ \t\u3000\xa0]+$", re.M)
_HTML_TAG = re.compile(
    r"</?(?:span|div|p|br|font|strong|b|i|em|u|section|img|a|sup|sub|table|tbody|tr|td|th)\b[^<>\n]*>",
    re.I,
)
# `style="box-sizing: border-box;">` left when a converter ate the tag's opening.
_ATTR_LEFTOVER = re.compile(r'(?:\s*[A-Za-z][\w:-]*="[^"\n]*")+\s*/?>')
_ENTITY = re.compile(r"&(?:nbsp|amp|lt|gt|quot|#\d{2,5});")

TURN_MARK = re.compile(r"[（(]下?转第?\s*\d{1,3}\s*[页版][)）]")
CONT_MARK = re.compile(r"^[（(]上?接第?\s*\d{1,3}\s*[页版][)）]")
# Attribution that closes a magazine article: （东直综）, (本刊综合).
_ARTICLE_END = re.compile(r"[（(][\u4e00-\u9fff]{2,6}[)）]$")
_CONT_WINDOW = 6  # paragraphs after （接…页） searched for the article's end

_MARKER_ONLY = re.compile(
    r"(?:[一二三四五六七八九十百]+、|[（(][一二三四五六七八九十]+[）)]|\d{1,3}[.．、]|第[一二三四五六七八九十百零〇]+条)"
)
_BLOCK_START = re.compile(r"^(?:#{1,6}\s|[-*+>|]\s|---)")
_CLAUSE_MARK = re.compile(r"[，、,；：。]")
_FIELD_LABEL = re.compile(r"^[\u4e00-\u9fff]{1,4}[：:]")  # 报：… 送：… 主办：… start a new field
_DANGLING_MIN = 10
_ATTACHMENT_TITLE = re.compile(r"^附件\s*\d*\s*[：:]\s*\S")  # an attachment names itself on one line


def clean_text(text: str) -> str:
    """Normalise a loaded document so that each paragraph is one clean line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").replace("\ufeff", "")
    text = _ENTITY.sub(lambda m: " " if m.group() == "&nbsp;" else html.unescape(m.group()), text)
    text = text.replace("\xa0", " ")
    text = _INDENT.sub("", _TRAILING.sub("", text))
    lines = [_strip_html(line) for line in text.split("\n")]
    lines = _drop_noise(lines)
    lines = _join_bare_markers(lines)
    text = "\n".join(lines)
    text = "\n\n".join(_rejoin_continuations(re.split(r"\n[ \t]*\n", text)))
    text = "\n".join(_rejoin_broken_lines(text.split("\n")))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _strip_html(line: str) -> str:
    """Remove tags and attribute debris; keep a `>` that closes a `<…>` inner-title pair."""
    line = _HTML_TAG.sub("", line)

    def fix(m: re.Match[str]) -> str:
        before = line[: m.start()]
        return ">" if before.count("<") > before.count(">") else ""

    return _ATTR_LEFTOVER.sub(fix, line)


def _drop_noise(lines: list[str]) -> list[str]:
    """Drop noise lines, and short lines sandwiched between two of them (the same ad block)."""
    noise = [bool(_NOISE.search(x)) and len(x) <= _NOISE_MAX_LEN for x in lines]
    filled = [i for i, x in enumerate(lines) if x.strip()]
    for prev, cur, nxt in zip(filled, filled[1:], filled[2:], strict=False):
        if noise[prev] and noise[nxt] and len(lines[cur]) <= 30 and not ends_sentence(lines[cur]):
            noise[cur] = True
    return [x for x, bad in zip(lines, noise, strict=True) if not bad]


def _join_bare_markers(lines: list[str]) -> list[str]:
    """`二、` alone on a line heads the next line's text: join them so the heading has a title."""
    out: list[str] = []
    for line in lines:
        if out and _MARKER_ONLY.fullmatch(out[-1]) and line.strip() and not heading_kind(line):
            sep = " " if out[-1].endswith("条") else ""
            out[-1] += sep + line
        elif not line.strip() and out and _MARKER_ONLY.fullmatch(out[-1]):
            continue  # blank between the marker and its text
        else:
            out.append(line)
    return out


def _rejoin_continuations(paras: list[str]) -> list[str]:
    """Move a magazine article's （接第M页） continuation back behind its （转第N页） paragraph.

    Page layout can interleave the continuation with the host article's
    paragraphs. The continuation ends at an attribution like （东直综）; a
    paragraph in between belongs to whichever stream its first character
    continues more plausibly (bigram counts in this document).
    """
    follow: dict[int, list[int]] = {}
    moved: set[int] = set()
    for t, para in enumerate(paras):
        if not TURN_MARK.search(para[-12:]):
            continue
        c = next((i for i in range(t + 1, len(paras)) if i not in moved and CONT_MARK.match(paras[i])), None)
        if c is not None:
            follow[t] = [c, *_continuation_tail(paras, c)]
            moved.update(follow[t])
    out: list[str] = []

    def emit(i: int) -> None:
        out.append(CONT_MARK.sub("", TURN_MARK.sub("", paras[i])).strip())
        for j in follow.get(i, []):
            emit(j)

    for i in range(len(paras)):
        if i not in moved:
            emit(i)
    return out


def _continuation_tail(paras: list[str], c: int) -> list[int]:
    """Indices after `c` that continue the moved article, up to its attribution line."""
    window = range(c + 1, min(len(paras), c + 1 + _CONT_WINDOW))
    end = next((i for i in window if _ARTICLE_END.search(paras[i])), None)
    if end is None:
        return []
    corpus = "\n".join(paras)

    def score(tail: str, head: str) -> int:
        last = "。" if ends_sentence(tail) else tail.rstrip("*")[-1:]
        return corpus.count(last + head.lstrip("*")[:1])

    host, cont, picked = paras[c - 1], paras[c], []
    for i in range(c + 1, end + 1):
        if i == end or score(cont, paras[i]) > score(host, paras[i]):
            picked.append(i)
            cont = paras[i]
        else:
            host = paras[i]
    return picked


def _rejoin_broken_lines(lines: list[str]) -> list[str]:
    """Join a prose line cut mid-sentence (a page or column break) with the line that continues it."""
    out: list[str] = []
    pending_blank = 0
    for line in lines:
        if not line.strip():
            pending_blank += 1
            continue
        if out and _is_dangling(out[-1]) and _can_continue(line):
            out[-1] = _glue(out[-1], line)
        else:
            out.extend([""] * pending_blank)
            out.append(line)
        pending_blank = 0
    return out


def _is_dangling(line: str) -> bool:
    """A prose line that stops without a sentence end; titles and headings never are."""
    bare = line.strip("*")
    if len(bare) < _DANGLING_MIN or ends_sentence(bare) or "\t" in line or _BLOCK_START.match(line):
        return False
    if _ATTACHMENT_TITLE.match(bare):
        return False  # "附件2：……问题清单": an attachment's title line, whole
    if heading_kind(bare) and not re.search(r"[。！？；]", bare):
        return False  # a heading line such as 一、总体目标，…
    return bool(_CLAUSE_MARK.search(bare))


def _can_continue(line: str) -> bool:
    """The next line may continue a cut sentence unless it opens a heading, a block or a title."""
    bare = line.lstrip("*")
    title_like = len(bare) <= 20 and not _CLAUSE_MARK.search(bare)
    starts_block = heading_kind(bare) or _BLOCK_START.match(line) or _FIELD_LABEL.match(bare)
    return not (title_like or starts_block or "\t" in line or CONT_MARK.match(line))


def _glue(left: str, right: str) -> str:
    if left.endswith("**") and right.startswith("**"):
        left, right = left[:-2], right[2:]
    latin = left[-1:].isascii() and left[-1:].isalnum() and right[:1].isascii() and right[:1].isalnum()
    return left + (" " if latin else "") + right
