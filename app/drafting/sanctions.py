"""What the rules sanction: the behaviours each article of a disciplinary regulation names, and which
of them a described behaviour is.

An article of the specific part (分则) names behaviours in its first sentence's lead clause ("借用管理和
服务对象的钱款、住房、车辆等，…") or as enumerated cases ("（三）对待群众态度恶劣、简单粗暴，…"), then grades
them (情节较轻的…). The teacher reads a described behaviour against each named one: on
colloquial descriptions ("向他监管的公司借了辆车") it finds the article the words miss. Its vectors of the
behaviours are encoded at ingest (`encode_behaviours`) and kept (index/semantic.py TextMeanings).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from app.drafting.citations import ARTICLE
from app.drafting.text import LAW_KINDS, cjk_length, plain
from index.library import Library
from ingest.models import Hit

# What an article that sanctions says: its grades, or the measure it orders.
GRADES = re.compile(
    r"情节(?:较轻|较重|严重)的|给予(?:警告|严重警告|撤销党内职务|留党察看|开除党籍)|予以(?:改组|解散)|依照前款规定处理"
)
GENERAL_PART = re.compile(r"总\s*则")
ENUMERATED = re.compile(r"\s*（[一二三四五六七八九十]+）")
# where a sentence turns from the behaviour to its sanction
SANCTION = re.compile(r"，(?:对直接责任者|情节|给予|依照)")
NO_BEHAVIOUR = re.compile(r"(?:有|对)?(?:下列|其他)")
MIN_BEHAVIOUR = 6  # characters: shorter pieces ("造成不良影响") name no behaviour
# How much nearer (teacher cosine) the behaviour of another article must be than the ranked article's
# for that article to answer alone. On the 8 dev behaviour questions ranked in 纪律处分条例 the gaps were
# 0.0004, 0.025 and 0.025 where the ranked article was right, 0.050 and 0.045 (and 0.046, neither right)
# where the teacher's was; 0.002 for the one where the teacher's was right by a hair, shown second.
SANCTION_GAP = 0.035


def is_article(hit: Hit) -> bool:
    """A rule's numbered article (第X条), the unit a sanction is quoted by."""
    return (
        hit.meta.kind in LAW_KINDS
        and bool(hit.passage.section)
        and bool(ARTICLE.match(hit.passage.section[-1]))
    )


def general_part(hit: Hit) -> bool:
    """Under a 总则 heading: how sanctions apply, no behaviour of its own."""
    return any(GENERAL_PART.search(heading) for heading in hit.passage.section[:-1])


def behaviours(library: Library, doc_id: str) -> list[tuple[Hit, str]]:
    """Each behaviour the sanctioning articles of a document's specific part name, with the article's
    first passage (the general part, 总则, says how sanctions apply)."""
    found: list[tuple[Hit, str]] = []
    for _, parts in library.sections(
        [h for h in library.document_passages(doc_id) if is_article(h) and not general_part(h)]
    ):
        found.extend((parts[0], clause) for clause in named_behaviours(parts))
    return found


def encode_behaviours(library: Library) -> None:
    """The teacher's vectors of every behaviour the library's rules sanction, encoded at ingest: the
    first penalty question would otherwise wait seconds for them."""
    for document in library.documents():
        if document.meta.kind in LAW_KINDS:
            library.remember_meanings([clause for _, clause in behaviours(library, document.id)])


def named_behaviours(parts: Sequence[Hit]) -> list[str]:
    """The behaviours a sanctioning article names: the lead clause of its first sentence ("借用管理和服务
    对象的钱款、住房、车辆等，…") and each enumerated case ("（三）对待群众态度恶劣、简单粗暴，造成不良影响");
    not "有下列行为之一" or a catch-all "其他…"; none for an article that grades nothing."""
    number = parts[0].passage.section[-1]
    text = plain(" ".join(p.passage.text for p in parts)).removeprefix(number).strip()
    if not GRADES.search(text):
        return []
    lead, *cases = ENUMERATED.split(text)
    # the first sentence names the behaviour; later ones weigh it (从重, 可以从轻) or extend it
    clauses = [SANCTION.split(lead.split("。")[0])[0], *(case.strip().rstrip("；。") for case in cases)]
    return [c.strip() for c in clauses if cjk_length(c) >= MIN_BEHAVIOUR and not NO_BEHAVIOUR.match(c)]


def meant_article(library: Library, query: str, ranked: Hit) -> tuple[Hit, str, bool] | None:
    """The article of the same rules whose named behaviour the teacher finds nearest the question, when
    that is not the ranked article: with the behaviour, and whether it is nearer than any the ranked
    article names by SANCTION_GAP or more. None where the library has no teacher."""
    found = behaviours(library, ranked.passage.doc_id)
    if not found:
        return None
    own = named_behaviours(library.section_passages(ranked)) or [plain(ranked.passage.text)]
    meaning = library.text_meaning(query, [clause for _, clause in found] + own)
    if not meaning.any():
        return None
    best = int(np.argmax(meaning[: len(found)]))
    article, clause = found[best]
    if article.passage.section == ranked.passage.section:
        return None
    gap = float(meaning[best] - meaning[len(found) :].max())
    return article, clause, gap >= SANCTION_GAP
