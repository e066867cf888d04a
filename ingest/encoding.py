"""Bytes → text for the text formats (.txt/.md/.html and antiword output), refusing garbage.

A decode the bytes themselves vouch for (a BOM, or strict UTF-8, which random bytes almost
never pass) is accepted unless it holds characters no document contains: control characters,
U+FFFD or private-use glyph codes. Japanese or Korean quoted in a Chinese file is fine there.
A guessed decode (a declared charset, UTF-16 without BOM, detection) must also look like
Chinese text, because binary garbage decodes "successfully" as GBK/GB18030. GB18030 is
preferred over Big5 because short GBK text also decodes as plausible Big5, and this corpus
is mainland.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator

from ingest.errors import UnreadableFile

BAD_ENCODING = "无法识别文字编码，可能是乱码或二进制文件"

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_TEXT_CONTROLS = "\t\n\r\f"
# What a Chinese document may contain besides ideographs: ASCII, Latin-1 signs (·×°), general
# punctuation (“”…—), letterlike/number forms, arrows, maths, ①, box drawing, shapes (■★),
# CJK punctuation, enclosed CJK (㈠), compatibility and fullwidth forms.
_PLAUSIBLE = re.compile(
    "[\t\n\r\f\x20-\x7e\u00a0-\u00ff\u2000-\u206f\u2100-\u22ff\u2460-\u24ff\u2500-\u257f"
    "\u25a0-\u26ff\u3000-\u303f\u3200-\u32ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\ufe30-\ufe4f\uff00-\uffef]"
)
_IDEOGRAPH = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_MIN_PLAUSIBLE = 0.95
_MIN_COMMON = 0.8
_MAX_PRIVATE_USE = 0.01


def _is_noise(ch: str) -> bool:
    """Control characters (NUL included) and U+FFFD: a failed or wrong decode, whatever the encoding."""
    return ch == "\ufffd" or (ch not in _TEXT_CONTROLS and unicodedata.category(ch) == "Cc")


def _is_clean(text: str) -> bool:
    """The check for a certain decode: no noise, and private-use glyph codes only as a stray symbol.

    A Word bullet pasted from a symbol font is one private-use character; a custom-font
    export that replaced the text is many of them.
    """
    private = non_ascii = 0
    for ch, n in Counter(text).items():
        if _is_noise(ch):
            return False
        if not ch.isascii():
            non_ascii += n
            private += n if unicodedata.category(ch) == "Co" else 0
    return private <= max(1, _MAX_PRIVATE_USE * non_ascii)


def _is_common_ideograph(ch: str) -> bool:
    """In GB2312 (the 6,763 common simplified characters) or Big5 level 1 (common traditional).

    Random bytes decoded as GB18030 land mostly outside both, real text almost never does.
    """
    try:
        ch.encode("gb2312")
        return True
    except UnicodeEncodeError:
        pass
    try:
        return 0xA4 <= ch.encode("big5")[0] <= 0xC6
    except UnicodeEncodeError:
        return False


def _looks_like_chinese(text: str) -> bool:
    """The check for a guessed decode: no noise, few odd scripts, ideographs mostly common ones.

    Shares are taken over the non-ASCII characters, so markup or English cannot dilute the noise.
    """
    implausible = ideographs = common = others = 0
    for ch, n in Counter(text).items():
        if _is_noise(ch):
            return False
        if ch.isascii():
            continue
        others += n
        if _IDEOGRAPH.match(ch):
            ideographs += n
            common += n if _is_common_ideograph(ch) else 0
        elif not _PLAUSIBLE.match(ch):
            implausible += n
    return implausible <= (1 - _MIN_PLAUSIBLE) * others and common >= _MIN_COMMON * ideographs


def _candidates(data: bytes, declared: str | None) -> Iterator[tuple[str, bool]]:
    """(encoding, certain) to try, most certain first; detection runs only when the cheap guesses fail."""
    bom = next((encoding for mark, encoding in _BOMS if data.startswith(mark)), None)
    if bom is not None:
        yield bom, True
        return
    yield "utf-8", True
    if declared:
        yield declared, False
    if b"\x00" in data:  # of the encodings we accept, only UTF-16 text contains NUL bytes
        yield from (("utf-16-le", False), ("utf-16-be", False))
        return
    from charset_normalizer import from_bytes

    # charset_normalizer drops encodings that decode to chaos; of the survivors GB18030 (a superset of
    # GBK/GB2312) goes first, as this corpus is mainland and short GBK text is often mistaken for Big5.
    detected = [match.encoding for match in from_bytes(data, cp_isolation=["gb18030", "big5"])]
    for encoding in sorted(detected, key=lambda encoding: encoding != "gb18030"):
        yield encoding, False
    for encoding in ("gb18030", "big5"):
        if encoding not in detected:
            yield encoding, False


def decode_text(data: bytes, declared: str | None = None) -> str:
    """Bytes → text with newlines normalised; raises UnreadableFile rather than return garbage.

    Order: BOM, strict UTF-8, a declared charset (HTML meta), UTF-16 without BOM, then
    charset_normalizer. Blank text is returned as is: emptiness is the caller's check.
    """
    for encoding, certain in _candidates(data, declared):
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        if _is_clean(text) if certain else _looks_like_chinese(text):
            return text.replace("\r\n", "\n").replace("\r", "\n")
    raise UnreadableFile(BAD_ENCODING)
