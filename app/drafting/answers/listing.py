"""List answers: the elements of the section that enumerates what is asked, in order, under its heading;
a named set spelled out in a sentence; a checklist's categories or one category's items."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

from app.drafting.answers.request import Request
from app.drafting.citations import ARTICLE, Draft
from app.drafting.extract import (
    NEAREST,
    sentence_candidates,
)
from app.drafting.question import Asked
from app.drafting.sanctions import is_article
from app.drafting.text import (
    HEADING_NUMBER,
    QUOTED_SHORT,
    QueryTerms,
    as_sentence,
    cjk_length,
    item_text,
    marked_runs,
    number_of,
    plain,
)
from index.library import Library
from ingest.models import Hit

MAX_LIST = 12  # a section with more children than this is a chapter, not an answer


# Below this no section enumerates what is asked, and the answer is sentences. On the 11 dev questions
# asked as lists, the sections that answer score 1.0, 1.0, 0.456, 0.206; the best section of the others
# 0.157 at most, except two a later check refuses or an inline list answers first (0.409, 0.457): midway.
LIST_MIN_SCORE = 0.18


SUPPLEMENTARY = re.compile(r"附\s*则")  # who interprets a rule and when it takes effect: never what is asked


ARTICLE_LABEL = 30  # Chinese characters an article's first sentence averages in a list of its articles


LIST_COUNT = 0.3  # a section with as many children as the question counts


# "哪7个问题", "五项任务"; not "第20条", which names one element
_COUNT = re.compile(
    r"(?<![第\d一二两三四五六七八九十])([\d一二两三四五六七八九十]+)\s*(?:项|条|块|个|种|类|有|强|大)"
)


def count_asked(question: str) -> int | None:
    found = _COUNT.search(question)
    if not found:
        return None
    return number_of(found.group(1))


def _label(heading: str, first: Hit) -> str:
    """A child heading as the list shows it; an article number alone says nothing, its first sentence does."""
    if ARTICLE.match(heading) and cjk_length(heading) <= 8:
        text = plain(first.passage.text).removeprefix(heading).strip()
        return text.split("。")[0]
    return plain(heading)


def newest_checklist(library: Library, asked: Asked) -> list[Hit]:
    """The items of the named (else the newest) checklist, in order."""
    items = [
        h for h in library.checklist_items() if not asked.documents or h.passage.doc_id in asked.documents
    ]
    if not items:
        return []
    newest = max(items, key=lambda h: h.meta.date).passage.doc_id
    return [h for h in items if h.passage.doc_id == newest and h.passage.item]


def checklist_name(item: Hit) -> str:
    """The name a checklist goes by: its own title as the item records it, else the document's."""
    return item.passage.item.checklist if item.passage.item else item.meta.title


def checklist_categories(library: Library, asked: Asked) -> list[Draft] | None:
    """ "清单按哪几个方面": the categories of the named (else the newest) checklist, in order."""
    items = newest_checklist(library, asked)
    first: dict[str, Hit] = {}
    for h in items:
        if h.passage.item and h.passage.item.category:
            first.setdefault(h.passage.item.category, h)
    if len(first) < 2:
        return None
    drafts: list[Draft] = [(f"《{checklist_name(items[0])}》共{len(first)}个方面：", ())]
    drafts += [
        (f"{category}；" if i < len(first) else f"{category}。", (hit,))
        for i, (category, hit) in enumerate(first.items(), 1)
    ]
    return drafts


def category_items(library: Library, asked: Asked, question: str) -> list[Draft] | None:
    """ "清单里有哪些关于形式主义的问题": every item of the one category the question names, in order."""
    items = newest_checklist(library, asked)
    categories = {h.passage.item.category for h in items if h.passage.item and h.passage.item.category}
    words = [  # not a word every category holds ("方面")
        w for w in library.words(question) if len(w) >= 2 and not all(w in c for c in categories)
    ]
    named = {c for c in categories if any(w in c for w in words)}
    if len(named) != 1:
        return None
    category = named.pop()
    listed = [h for h in items if h.passage.item and h.passage.item.category == category]
    drafts: list[Draft] = [(f"《{checklist_name(listed[0])}》“{category}”共{len(listed)}条：", ())]
    drafts += [
        (f"第{h.passage.item.number}条 {item_text(h.passage.item)}", (h,)) for h in listed if h.passage.item
    ]
    return drafts


Section = tuple[float, tuple[str, ...], list[tuple[str, Hit]]]  # score, heading chain, children


def own_words(terms: QueryTerms, title: str) -> QueryTerms:
    """The question's words that do not name the document: they pick a heading or lead in it (each of its
    headings may hold its name). All the words when naming the document is all the question does."""
    own = QueryTerms({w: v for w, v in terms.idf.items() if w not in title.lower()})
    return own if own.idf else terms


def best_section(
    library: Library, terms: QueryTerms, question: str, hits: list[Hit], named: Sequence[str] = ()
) -> Section | None:
    """The section whose children best answer a list question, scored by the question's words in its
    heading (not those naming the document) and, at half weight, in its children, plus LIST_COUNT when
    it has as many children as the question says ("哪六条").

    Candidates: every heading above the best passages, and every heading of a document the question
    names (the enumerating section need not hold the words that found the passages)."""
    count = count_asked(question)
    candidates: dict[tuple[str, tuple[str, ...]], int] = {}
    for rank, hit in enumerate(hits[:NEAREST]):
        for depth in range(1, len(hit.passage.section)):
            candidates.setdefault((hit.passage.doc_id, hit.passage.section[:depth]), rank)
    for doc in named:
        for p in library.document_passages(doc):
            for depth in range(1, len(p.passage.section)):
                candidates.setdefault((doc, p.passage.section[:depth]), 0)
    best: Section | None = None
    for (doc, parent), rank in candidates.items():
        passages = library.document_passages(doc)
        labels = children_of(passages, parent)
        if (
            not 2 <= len(labels) <= MAX_LIST
            or _sentences_of_articles(parent, labels)
            or SUPPLEMENTARY.search(parent[-1])
        ):
            continue
        own = own_words(terms, passages[0].meta.title)
        # the first heading is the document's title: it says nothing when only the title's words are asked
        heading = parent[-1].lower() if len(parent) > 1 or own is not terms else ""
        score = (
            own.share(heading)
            + 0.5 * terms.share(" ".join(label for label, _ in labels).lower())
            + (LIST_COUNT if count == len(labels) else 0.0)
            - 0.05 * rank
        )
        if best is None or score > best[0]:
            best = (score, parent, labels)
    return best


def enumeration(best: Section | None) -> list[Draft] | None:
    """The best section's heading and children in order; None when no section scores LIST_MIN_SCORE."""
    if best is None or best[0] < LIST_MIN_SCORE:
        return None
    _, parent, labels = best
    heading = f"“{plain(parent[-1])}”" if len(parent) > 1 else ""
    return listed(f"《{labels[0][1].meta.title}》{heading}共{len(labels)}项：", labels)


def _sentences_of_articles(parent: tuple[str, ...], labels: list[tuple[str, Hit]]) -> bool:
    """Whether the headings below `parent` are articles (第十条…) whose first sentences are long: such a
    chapter is no answer to "有哪些" (发展党员的程序, 基本任务), though a list of short articles is
    (廉洁自律准则: "第五条 廉洁从政，自觉保持人民公仆本色。")."""
    below = [first.passage.section[len(parent)] for _, first in labels]
    return all(ARTICLE.match(h) for h in below) and sum(
        cjk_length(label) for label, _ in labels
    ) > ARTICLE_LABEL * len(labels)


def children_of(passages: Sequence[Hit], parent: tuple[str, ...]) -> list[tuple[str, Hit]]:
    """The headings one level below `parent`, in order, each as the list shows it with its first passage."""
    depth = len(parent)
    children: dict[str, Hit] = {}
    for p in passages:
        if p.passage.section[:depth] == parent and len(p.passage.section) > depth:
            children.setdefault(p.passage.section[depth], p)
    return [(_label(heading, first), first) for heading, first in children.items()]


def listed(lead: str, labels: list[tuple[str, Hit]]) -> list[Draft]:
    """A lead, then one cited element per line: "一、…；二、…。"."""
    drafts: list[Draft] = [(lead, ())]
    for i, (label, first) in enumerate(labels, 1):
        drafts.append((label.rstrip("。；;") + ("；" if i < len(labels) else "。"), (first,)))
    return drafts


def outline(library: Library, doc_id: str) -> list[Draft] | None:
    """A document's first-level headings under its main title: what it is about, for a comparison
    that names documents and no topic ("2023年方案和2025年要点对比")."""
    passages = library.document_passages(doc_id)
    roots = Counter(p.passage.section[:1] for p in passages if p.passage.section)
    if not roots:
        return None
    labels = children_of(passages, roots.most_common(1)[0][0])
    if not 2 <= len(labels) <= MAX_LIST:
        return None
    return listed(f"《{passages[0].meta.title}》主要内容：", labels)


def inline_list(terms: QueryTerms, question: str, hits: list[Hit], titles: str) -> list[Draft] | None:
    """A quoted name ("“六有”标准", "“5项任务”") whose sentence spells out its elements: that sentence, whole."""
    quoted = [q for q in QUOTED_SHORT.findall(question) if q not in titles]
    if not quoted:
        return None
    count = count_asked(question)
    cands = [
        c
        for c in sentence_candidates(terms, hits[:NEAREST], clauses=False)
        if any(_spelled_out(q, c.text) or members(q, c.text) for q in quoted)
        and separators(c.text) >= (count or 3) - 1
    ]
    if not cands:
        return None
    best = max(cands, key=lambda c: (separators(c.text), c.score))
    return [(as_sentence(best.text), (best.hit,))]


_INTRODUCES = re.compile(r"[：:]|即|是指|指的是|包括|分别是|就是")


def _spelled_out(name: str, sentence: str) -> bool:
    """The sentence lists the named thing's elements: the first separator after the name is in the name's
    own clause, or an introducing word ("即", "包括", "：") leads to it ("“六有”标准，即有…、有…"), not a
    later clause on something else ("“四强”党支部结对共建，推动形成先进带后进、后进赶先进…"); or the list
    comes just before the name ("落实好“抓好…、…、…”5项任务"). A name followed by a separator is itself
    one of a list ("坚定“四个自信”、做到“两个维护”"), not spelled out."""
    at = sentence.find(name)
    if at < 0:
        return False
    before = sentence[:at].rsplit("，", 1)[-1]
    rest = sentence[at + len(name) :]
    first = re.search("[、；]", rest)
    lead = rest[: first.start()] if first else ""
    after = bool(lead.strip('”"')) and ("，" not in lead or bool(_INTRODUCES.search(lead)))
    return after or (sentence[:at].endswith(("”", "等")) and separators(before) > 0)


_NUMBERED_NAME = re.compile(r"^([一二两三四五六七八九十\d]+)[个种项大条类]?(\w{1,3})$")


def numbered_names(question: str) -> list[str]:
    """The numbered names a question quotes (“四个自信”, “两个维护”, “六有”): each stands for a set."""
    return [q for q in QUOTED_SHORT.findall(question) if _NUMBERED_NAME.match(q)]


def members(name: str, sentence: str) -> bool:
    """A numbered name spelled out without being named: “四种危险” as "精神懈怠危险、能力不足危险、脱离群众
    危险、消极腐败危险", “四个意识” as "政治意识、大局意识…": as many elements ending in its head noun."""
    found = _NUMBERED_NAME.match(name)
    count = number_of(found.group(1)) if found else None
    if not found or not count or count < 2:
        return False
    head = found.group(2)
    pieces = sentence.replace(name, "").split("、")  # the name itself ("做到“两个维护”") is no member
    named = [
        p.rsplit("，", 1)[-1].rstrip("等").endswith(head) or head in p.split("，", 1)[0][: 10 + len(head)]
        for p in pieces
    ]
    return sum(named) >= count


_SEPARATOR = re.compile(r"(?<![一二三四五六七八九十\d])、|；")  # not a heading's number ("三、")


def separators(text: str) -> int:
    return len(_SEPARATOR.findall(text))


_ENDING_LEAD = re.compile(r"([^。；;\n]+)[：:]\s*$")  # a passage that ends by announcing what follows


# Per character of a lead: of two leads holding the question's words, the one that is mostly those words
# ("党员必须履行下列义务", not the 80-character sentence on leading cadres that mentions 党员的各项义务).
LEAD_LENGTH = 0.003


SHORT_LEAD = 20  # characters


def marked_list(
    library: Library, terms: QueryTerms, question: str, hits: list[Hit]
) -> tuple[float, list[Draft]] | None:
    """The numbered run whose lead best names what is asked, in the passages found, with its score: the
    lead's share of the question's own words, LIST_COUNT when it counts as asked, less rank and length.

    A lead that ends its passage ("主要环节包括：") introduces the headings below it: they are its run."""
    count = count_asked(question)
    best: tuple[float, list[Draft]] | None = None
    for rank, parts in library.sections(hits[:NEAREST]):
        hit = parts[0]
        starts = list(np.cumsum([0] + [len(p.passage.text) + 1 for p in parts]))
        text = "\n".join(p.passage.text for p in parts)
        runs = [
            (
                run.lead,
                [
                    (e.shown, parts[int(np.searchsorted(starts, e.start, side="right")) - 1])
                    for e in run.elements
                ],
            )
            for run in marked_runs(text)
        ]
        ending = _ENDING_LEAD.search(text)
        below = (
            children_of(library.document_passages(hit.passage.doc_id), hit.passage.section) if ending else []
        )
        if ending and len(below) >= 2:
            runs.append((HEADING_NUMBER.sub("", plain(ending.group(1))).strip(), below))
        own = own_words(terms, hit.meta.title)
        for lead, cited in runs:
            # with only the document's own name asked, a lead must be short enough to be about it alone
            # ("纪律处分有哪几种": "对党员的纪律处分种类", not a 40-character sentence holding the title's words)
            if own is terms and len(lead) > SHORT_LEAD:
                continue
            score = (
                own.share(lead.lower())
                + (LIST_COUNT if count == len(cited) else 0.0)
                - 0.05 * rank
                - LEAD_LENGTH * len(lead)
            )
            if best is None or score > best[0]:
                where = hit.passage.section[-1] if is_article(hit) else ""
                best = (score, listed(f"《{hit.meta.title}》{where}“{lead}”共{len(cited)}项：", cited))
    return best


def listing(
    library: Library, asked: Asked, terms: QueryTerms, question: str, hits: list[Hit]
) -> list[Draft] | None:
    titles = " ".join(h.meta.title for h in hits)
    if "清单" in question:
        drafts = category_items(library, asked, question)
        if not drafts and re.search(r"方面|类", question):
            drafts = checklist_categories(library, asked)
        if drafts:
            return drafts
    quoted = inline_list(terms, question, hits, titles)
    if quoted:
        return quoted
    section = best_section(library, terms, question, hits, asked.documents)
    marked = marked_list(library, terms, question, hits)
    if marked is not None and marked[0] >= LIST_MIN_SCORE and (section is None or marked[0] > section[0]):
        return marked[1]
    return enumeration(section)


def compose(r: Request) -> list[Draft] | None:
    """The listing answer to the request (None when the library lacks the shape it needs)."""
    return listing(r.library, r.asked, r.terms, r.query, r.hits)


def named_set(r: Request) -> list[Draft] | None:
    """ "“四种危险”属于哪一种", "“四个自信”具体指什么": the named set, spelled out where the text does."""
    if not numbered_names(r.query):
        return None
    return inline_list(r.terms, r.query, r.hits, " ".join(h.meta.title for h in r.hits))
