"""Answers shaped by what is asked (question.Kind), each sentence cut from a passage and cited.

- penalty: the article number and the whole article, every grade, never cut at "；";
- list: the elements of the section that enumerates them, in order, under its heading;
- compare: one block per named document;
- checklist item: the item, its text, then measures about that very item (none rather than generic);
- measures and lecture material: the best sentences spread over several documents;
- fact: the sentence holding the fact first.
Each returns None when the library does not have the shape it needs; the composer then answers
with the plain extractive sentences.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TypeVar

import numpy as np

from app.drafting.citations import ARTICLE, Draft
from app.drafting.extract import (
    NEAR_REPEAT,
    NEAREST,
    RELATIVE,
    Candidate,
    asked_thing,
    pick,
    prefer_newer,
    query_terms,
    sentence_candidates,
)
from app.drafting.item_scope import lists_problem
from app.drafting.lecture import expanded
from app.drafting.ledger import problem_terms
from app.drafting.measures import PROBLEM_LIST, candidates, listed_problems, specific_measures
from app.drafting.question import YEAR, Asked, Kind, document_names, lecture_theme
from app.drafting.sanctions import GRADES, is_article, meant_article
from app.drafting.text import (
    HEADING_NUMBER,
    LAW_KINDS,
    MEASURE,
    PLAN_KINDS,
    QueryTerms,
    as_sentence,
    cjk_bigrams,
    cjk_length,
    item_text,
    jaccard,
    marked_runs,
    number_of,
    plain,
    sentences,
)
from index.library import Library
from ingest.models import Hit

T = TypeVar("T")

# An article that lists the behaviours another article sanctions (问责条例 第六条 "有下列情形之一的，应当予以
# 问责"); a general provision (第七条 "…都必须受到追究") is not one, and never precedes the sanction.
BEHAVIOURS = re.compile(r"下列(?:情形|行为)")
CLEAR_PICK = 1.5  # a problem of a list is named alone when it holds this many times the next one's words
LISTING_RANK = 5  # articles: a rule's list of circumstances ranked this high is part of the answer
PENALTY_DEPTH = 20  # articles looked at: the behaviour's article often ranks below general provisions
# characters: a heading this short names one thing ("总体目标", "基本原则"), not a whole point
HEADING_WORDS = 8
MAX_LIST = 12  # a section with more children than this is a chapter, not an answer
# Below this no section enumerates what is asked, and the answer is sentences. On the 11 dev questions
# asked as lists, the sections that answer score 1.0, 1.0, 0.456, 0.206; the best section of the others
# 0.157 at most, except two a later check refuses or an inline list answers first (0.409, 0.457): midway.
LIST_MIN_SCORE = 0.18
SUPPLEMENTARY = re.compile(r"附\s*则")  # who interprets a rule and when it takes effect: never what is asked
ARTICLE_LABEL = 30  # Chinese characters an article's first sentence averages in a list of its articles
LIST_COUNT = 0.3  # a section with as many children as the question counts
_QUOTED = re.compile(r"[“\"]([^”\"]{2,12})[”\"]")
# "哪7个问题", "五项任务"; not "第20条", which names one element
_COUNT = re.compile(
    r"(?<![第\d一二两三四五六七八九十])([\d一二两三四五六七八九十]+)\s*(?:项|条|块|个|种|类|有|强|大)"
)
# A measure clause must hold this share of the item's words to be about the item, not about rectifying in
# general. Chosen by reading the best clause for each of the 20 bundled items: at 0.12 and above they
# answer their item (开展“我陪企业跑审批”活动 for 审批流程繁琐, 0.16); below, they do not (督促解决活动
# 开展中存在的问题 for 工作群督导催报, 0.10). Most items have none, and then the answer names none.
TOPICAL = 0.12
MEASURES_PER_ITEM = 2
MAX_MEASURES = 6  # sentences a measures answer reads to its end (5 loses a right answer of 6, 8 adds none)
MIN_PIECE = 6  # characters: a comma piece two measures share makes them one
PER_DOCUMENT = 2  # sentences lecture material and measures take from one document (1 right answer more of 13)
SPREAD = 4  # documents lecture material and measures are drawn from
# Passages they are drawn from, and the weight of each passage's teacher cosine (centred) in a sentence's
# score. On the 13 dev lecture and measures questions (evals/score_answers.py): 8 passages and words
# only, 4 right; 12 passages, 5; with the teacher at 1 or 2, 6; at 10 it overrules the words, 5.
SPREAD_DEPTH = 12
COMPARE_DEPTH = 30  # passages looked through for the other document of a comparison of a year
LECTURE_DEPTH = 6  # passages from the rules, and as many from the local documents
SPREAD_MEANING = 1.0
# How deep the answer's search goes for the kinds that look past the first passages.
DEPTH = {Kind.PENALTY: PENALTY_DEPTH, Kind.MEASURES: SPREAD_DEPTH}
QUOTABLE = 0.002  # per character: of two sentences on the theme, a lecture quotes the shorter
COMPARING = re.compile(r"对比|比较|相比|异同|区别|变化|分别|各自|不同|什么|怎么")
NUMBERED_ITEM = re.compile(r"第([一二三四五六七八九十两\d]{1,3})[条项]")
SEVERAL_ITEMS = re.compile(r"哪几|哪些|几条|几项")


def penalty(library: Library, hits: list[Hit], query: str) -> list[Draft] | None:
    """The article that sanctions the behaviour, whole: the best-ranked one that grades it (情节较轻的…),
    preceded by the article of the same rules that lists the behaviours (BEHAVIOURS) without grading them
    when it ranks among the first LISTING_RANK articles (问责条例: 第六条 the circumstances, 第七条 the
    sanctions). Where the teacher reads the described behaviour as another article's (`meant_article`),
    that article comes first when it clearly does, else second as a possibility.
    `hits` go PENALTY_DEPTH deep."""
    articles = [h for h in hits if is_article(h)]
    graded = [h for h in articles if GRADES.search(h.passage.text)]
    if not graded:
        return None
    chosen: list[tuple[Hit, str]] = [(graded[0], "")]
    meant = meant_article(library, query, graded[0])
    if meant is not None:
        article, behaviour_clause, clearly = meant
        chosen = [(article, "")] if clearly else [*chosen, (article, behaviour_clause)]
    lead = chosen[0][0]
    listing = next(
        (
            h
            for h in articles[:LISTING_RANK]
            if h.passage.doc_id == lead.passage.doc_id
            and h.passage.section != lead.passage.section
            and BEHAVIOURS.search(text := " ".join(p.passage.text for p in library.section_passages(h)))
            and not GRADES.search(text)
        ),
        None,
    )
    if listing is not None:
        chosen.insert(0, (listing, ""))
    drafts: list[Draft] = []
    for article, because in chosen:
        parts = library.section_passages(article)
        number = article.passage.section[-1]
        body = plain(" ".join(p.passage.text for p in parts)).removeprefix(number).strip()
        cited = f"《{article.meta.title}》{number}"
        says = f"所述行为也可能属于{cited}“{because}”的情形" if because else f"依据{cited}"
        drafts.append((as_sentence(f"{says}：{body}"), tuple(parts)))
    return drafts


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
    quoted = [q for q in _QUOTED.findall(question) if q not in titles]
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
    return [q for q in _QUOTED.findall(question) if _NUMBERED_NAME.match(q)]


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


def compare(library: Library, asked: Asked, terms: QueryTerms, question: str) -> list[Draft]:
    """One block per named document: its title, then its best one or two sentences. One named document
    is compared with the best other one the question finds ("2015年海事局的做法和主体责任规定")."""
    documents = list(asked.documents[:SPREAD])
    if len(documents) == 1:
        names = document_names(library)
        years = set(YEAR.findall(question)) - names.years_of(documents[0])  # "2015年海事局的做法"
        others = [
            h.passage.doc_id
            for h in library.search(question, COMPARE_DEPTH, scope=())
            if h.passage.doc_id not in documents
        ]
        of_year = [d for d in others if names.years_of(d) & years]
        other = next(iter(of_year or others[:NEAREST]), None)
        documents += [other] if other else []
    titles = " ".join(d.meta.title for d in library.documents() if d.id in documents).lower()
    topic = QueryTerms(
        {
            w: v
            for w, v in terms.idf.items()
            if w not in titles and not w.isdigit() and not COMPARING.search(w)
        }
    )
    found = {
        doc: [h for h in library.search(question, NEAREST, scope=(doc,)) if h.passage.doc_id == doc]
        for doc in documents
    }
    # a word only one document's passages hold ("海事局") says where to look in it, not what to compare
    held = [set(topic.found(" ".join(h.passage.text.lower() for h in own))) for own in found.values()]
    shared = QueryTerms({w: v for w, v in topic.idf.items() if all(w in h for h in held)})
    topic = shared if shared.idf else topic
    drafts: list[Draft] = []
    for doc, own in found.items():
        if not topic.idf:
            drafts += outline(library, doc) or []
            continue
        chosen = pick(topic, sentence_candidates(topic, own), most=2)
        if not chosen:
            drafts += outline(library, doc) or []
        for i, c in enumerate(chosen):
            lead = f"《{c.hit.meta.title}》：" if i == 0 else ""
            drafts.append((lead + as_sentence(c.text), (c.hit,)))
    return drafts


def spread(
    terms: QueryTerms,
    hits: list[Hit],
    newer: dict[str, str],
    measures: bool,
    meaning: np.ndarray | None = None,
    most: int = SPREAD,
) -> list[Draft]:
    """The best sentences (PER_DOCUMENT, close to its best) of each of the first `most` documents: material
    from several sources (a lecture: short, quotable sentences first), or ways to act from several rules
    and plans. `meaning`: each hit's teacher cosine to the question, when the library has one."""
    cands = sentence_candidates(terms, [h for h in hits if h.passage.item is None])  # a problem is no measure
    for c in cands:
        if measures:
            c.score += 0.1 * len(MEASURE.findall(c.text))
        else:  # shorter is more quotable, but a sentence on the theme stays one however long
            c.score /= 1 + QUOTABLE * len(c.text)
    if meaning is not None and len(meaning):
        # the passage's meaning, centred on the median: the words pick the sentence, the meaning tips it
        nearness = dict(zip((h.passage.id for h in hits), meaning, strict=True))
        middle = float(np.median(meaning))
        for c in cands:
            c.score += SPREAD_MEANING * (nearness[c.hit.passage.id] - middle)
    prefer_newer(cands, newer)
    by_doc: dict[str, list[Candidate]] = {}
    for c in sorted(cands, key=lambda c: -c.score):
        taken = by_doc.setdefault(c.hit.passage.doc_id, [])
        if (
            c.score > 0
            and len(taken) < PER_DOCUMENT
            and (not taken or c.score >= RELATIVE * taken[0].score)
            and all(jaccard(cjk_bigrams(c.text), cjk_bigrams(t.text)) < NEAR_REPEAT for t in taken)
        ):
            taken.append(c)
    firsts = sorted((t[0] for t in by_doc.values() if t), key=lambda c: -c.score)[:most]
    chosen = [c for f in firsts for c in by_doc[f.hit.passage.doc_id]]
    if len(chosen) < 2:
        chosen = pick(terms, cands)
    return [(as_sentence(c.text), (c.hit,)) for c in chosen]


def measures_answer(
    library: Library, question: str, terms: QueryTerms, hits: list[Hit], newer: dict[str, str]
) -> list[Draft]:
    """Ways to act: the clauses the ledger would draft for the problem described (chosen by meaning and
    sentence form), then the sentences of several rules and plans that state them; a measure said twice
    is said once, in its longer wording."""
    about = problem_terms(question, library)
    found = [(as_sentence(c.text), (c.hit,)) for c in specific_measures(question, about, library)]
    spread_out = spread(terms, hits, newer, measures=True, meaning=library.meaning(question, hits))
    return said_once(found + spread_out, lambda d: d[0], says_more=_longer)[:MAX_MEASURES]


def lecture(library: Library, asked: Asked, question: str) -> list[Draft]:
    """Material for a lecture on the question's theme from the rules (or the documents it names), then
    from the local plans and problem lists, each searched and spread apart: either kind alone would
    crowd the other out."""
    # "为基层减负" is searched with 文山会海, 督查检查考核 … (the outline's words for a rare theme)
    theme = expanded(lecture_theme(question))
    terms = query_terms(theme, library)
    newer = library.superseded_by()
    documents = library.documents()
    rules = asked.documents or tuple(d.id for d in documents if d.meta.kind in LAW_KINDS)
    local = tuple(d.id for d in documents if d.meta.kind not in LAW_KINDS and d.id not in rules)
    drafts: list[Draft] = []
    for scope in (rules, local):
        hits = [h for h in library.search(theme, LECTURE_DEPTH, scope) if h.passage.doc_id in scope]
        drafts += spread(terms, hits, newer, False, library.meaning(theme, hits), SPREAD // 2)
    return drafts


def fact_first(
    terms: QueryTerms, hits: list[Hit], newer: dict[str, str], fact: re.Pattern[str]
) -> list[Draft]:
    """The picked sentences with the one that holds the asked fact first."""
    cands = sentence_candidates(terms, hits[:NEAREST])
    prefer_newer(cands, newer)
    for c in cands:
        if fact.search(c.text):
            c.score *= 1.5
    chosen = pick(terms, cands)
    holding = [c for c in chosen if fact.search(c.text)]
    ordered = holding[:1] + [c for c in chosen if c not in holding[:1]]
    return [(as_sentence(c.text), (c.hit,)) for c in ordered]


def matched_items(library: Library, question: str, hits: list[Hit], asked: Asked) -> list[Hit]:
    """Checklist item passages the question is about: the best, plus close runners-up in the top 3.
    Asked for an item, or asked in general or how to fix something and answered first by one ("工作群催报
    太多怎么解决": item 11, and the measures the plans set against it); none when no item is near what
    the question describes (item_scope.py: "办公室空调温度太低")."""
    first = next((h for h in hits if h.passage.item), None)
    if first is None or not (
        asked.kind is Kind.ITEM or (asked.kind in (Kind.GENERAL, Kind.MEASURES) and hits[0].passage.item)
    ):
        return []
    quoted = [q for q in _QUOTED.findall(question) if first.passage.item and q in first.passage.item.text]
    if not quoted and not lists_problem(library, question):  # "清单里说的“指尖上的形式主义”" names it
        return []
    several = bool(SEVERAL_ITEMS.search(question))
    floor = first.score * (0.85 if several else 0.95)
    close = [h for h in hits[:3] if h.passage.item and h is not first and h.score >= floor]
    return [first, *close][: 3 if several else 2]


def numbered_items(question: str, library: Library, asked: Asked) -> list[Hit]:
    """ "清单第14条是什么", "清单第5条和第6条分别是什么": those items of the checklist the question names (else
    the newest), by number, in the order asked."""
    numbers = [number_of(n) for n in NUMBERED_ITEM.findall(question)]
    if not numbers or "清单" not in question:
        return []
    items = [h for h in library.checklist_items() if h.passage.item]
    named = [h for h in items if h.passage.doc_id in asked.documents] or items
    if not named:
        return []
    newest = max(named, key=lambda h: h.meta.date).passage.doc_id
    by_number = {
        number_of(h.passage.item.number): h for h in named if h.passage.doc_id == newest and h.passage.item
    }
    return [by_number[n] for n in dict.fromkeys(numbers) if n in by_number]


def _bare(measure: str) -> str:
    """ "二、要精简会议活动。" as "要精简会议活动": how two wordings of a measure are compared."""
    return HEADING_NUMBER.sub("", measure).strip().rstrip("。；;")


def _same_measure(a: str, b: str) -> bool:
    """One clause inside the other ("开展“我陪基层解难题”活动" and its run-on), two runs of one sentence
    sharing a comma piece, or nearly the same words."""
    a, b = _bare(a), _bare(b)
    pieces = {p for p in re.split(r"[，,]", a) if len(p) >= MIN_PIECE}
    return (
        a in b
        or b in a
        or bool(pieces & set(re.split(r"[，,]", b)))
        or jaccard(cjk_bigrams(a), cjk_bigrams(b)) >= NEAR_REPEAT
    )


def _holds(new: str, old: str) -> bool:
    return _bare(old) in _bare(new)


def _longer(new: str, old: str) -> bool:
    """A rule's whole sentence says more than the clause the ledger cut from it."""
    return len(new) > len(old)


def said_once(
    measures: list[T],
    text: Callable[[T], str],
    most: int | None = None,
    says_more: Callable[[str, str], bool] = _holds,
) -> list[T]:
    """Each measure once (`_same_measure`), in order of first mention, in the wording that `says_more`
    (by default the one that holds the other: the clause run on). With `most`, the first that many."""
    kept: list[T] = []
    for measure in measures:
        if len(kept) == most:
            break
        same = next((i for i, k in enumerate(kept) if _same_measure(text(measure), text(k))), None)
        if same is None:
            kept.append(measure)
        elif says_more(text(measure), text(kept[same])):
            kept[same] = measure
    return kept


def item_line(lead: str, hit: Hit) -> Draft:
    item = hit.passage.item
    assert item is not None
    return (as_sentence(f"{lead}（{item.category}）：{item_text(item)}"), (hit,))


# "清单里说审批流程太繁，2015年的杂志里说…压减了多少": the question refers to an item on its way to asking
ITEM_MENTION = re.compile(r"清单(?:里|中|上)?(?:说|提到|讲|列)[的了]?([^，。？]{2,30})")


def mentioned_item(library: Library, question: str) -> Hit | None:
    """The checklist item a question refers to in passing ("清单里说X，…"), or None."""
    found = ITEM_MENTION.search(question)
    if not found:
        return None
    lists = sorted({h.passage.doc_id for h in library.checklist_items()})
    return next((h for h in library.search(found.group(1), NEAREST, scope=lists) if h.passage.item), None)


def checklist(
    library: Library, items: list[Hit], newer: dict[str, str], asked_by_number: bool = False
) -> list[Draft]:
    """The item(s) as "属于《清单》第N条（方面）：…", then measures the plans set against that very item."""
    drafts: list[Draft] = []
    for i, hit in enumerate(items):
        item = hit.passage.item
        assert item is not None
        said = f"《{item.checklist}》第{item.number}条"  # "第14条是什么" is answered by the item, not "属于"
        if asked_by_number:  # each item asked for, by its number
            lead = said if i == 0 else f"第{item.number}条"
        else:
            lead = f"属于{said}" if i == 0 else f"也可能涉及第{item.number}条"
        drafts.append(item_line(lead, hit))
    first = items[0].passage.item
    assert first is not None
    about = item_text(first)
    terms = problem_terms(about, library)
    plans = [h for h in library.search(about, 10) if h.passage.item is None and h.meta.kind in PLAN_KINDS]
    clauses = [c for c in candidates(about, plans, terms, library) if terms.share(c.text.lower()) >= TOPICAL]
    offered = {c.hit.passage.doc_id for c in clauses}
    clauses = [
        c for c in clauses if newer.get(c.hit.passage.doc_id) not in offered
    ]  # the newer plan's measures
    picked = said_once(clauses, lambda c: c.text, MEASURES_PER_ITEM)
    drafts += [(f"《{c.hit.meta.title}》针对此类问题提出：{c.text}。", (c.hit,)) for c in picked]
    return drafts


ISSUED = re.compile(
    r"(?:哪天|哪一天|什么时候|何时|日期|时间).{0,3}(?:印发|发布|下发|出台)|(?:印发|发布|下发|出台).{0,4}(?:哪天|日期|时间)"
)
DOC_NUMBER = re.compile(r"文号|字号")
ISSUER = re.compile(
    r"(?:哪个|哪一?家|什么)(?:单位|部门|机关)(?:印发|发布|下发|出台|制定|发)|由(?:哪个|谁|什么)(?:单位|部门|机关)?(?:印发|发布|制定)"
    r"|发文(?:机关|单位)|谁(?:印发|发布|制定)"
)
# "三年行动计划什么时候开始": a plan's years, which its title states ("（2025-2027年）")
PERIOD_ASKED = re.compile(
    r"(?:什么时候|何时|哪一?年)(?:开始|启动|结束|截止|到期)|起止|实施期|时间跨度|持续(?:多久|几年|到)"
)
PERIOD = re.compile(r"[（(](\d{4})\s*[-—–~至]\s*(\d{4})年?[)）]")
# "“三级六岗”责任清单是哪个文件提出的": the document a quoted phrase comes from
SOURCE = re.compile(r"(?:哪个|哪份|哪一份|什么)文件|出自(?:哪|什么)")


def headed_section(library: Library, asked: Asked, question: str) -> list[Draft] | None:
    """ "三年行动计划的工作目标是什么": the named document's section whose heading is the thing asked
    ("一、总体目标"), its opening passage whole; None when no short heading ends in the asked word."""
    asked_for = asked_thing(question, library) if asked.documents else None
    if asked_for is None:
        return None
    for doc_id in asked.documents:
        for hit in library.document_passages(doc_id):
            heading = HEADING_NUMBER.sub("", hit.passage.section[-1]).strip() if hit.passage.section else ""
            if heading.endswith(asked_for) and cjk_length(heading) <= HEADING_WORDS:
                return [(as_sentence(plain(hit.passage.text)), (hit,))]
    return None


def document_fact(library: Library, question: str, hits: list[Hit]) -> list[Draft] | None:
    """A document's issue date, number or issuer, from its record, citing the passage that prints it; or
    the document a quoted phrase comes from, with the sentence that says it."""
    meta = hits[0].meta
    if SOURCE.search(question):
        return phrase_source(question, hits)
    if DOC_NUMBER.search(question) and meta.doc_number:
        fact, said = meta.doc_number, f"《{meta.title}》的发文字号是{meta.doc_number}。"
    elif ISSUED.search(question) and len(meta.date) == 10:
        fact = _day(meta.date)
        said = f"《{meta.title}》于{fact}印发" + (f"（{meta.issuer}）。" if meta.issuer else "。")
    elif PERIOD_ASKED.search(question) and (period := PERIOD.search(meta.title)):
        fact = period.group()
        said = f"《{meta.title}》的实施期为{period.group(1)}年至{period.group(2)}年" + (
            f"，{_day(meta.date)}印发。" if len(meta.date) == 10 else "。"
        )
    elif ISSUER.search(question) and meta.issuer:
        fact, said = (
            meta.issuer,
            f"《{meta.title}》由{meta.issuer}印发" + (f"（{meta.date}）。" if meta.date else "。"),
        )
    else:
        return None
    printed = [
        h
        for h in library.document_passages(hits[0].passage.doc_id)
        if fact in re.sub(r"\s", "", h.passage.text)
    ]
    return [(said, (printed[0] if printed else hits[0],))]


def _day(date: str) -> str:
    """ "2025-05-31" as "2025年5月31日"."""
    year, month, day = (int(x) for x in date.split("-"))
    return f"{year}年{month}月{day}日"


def phrase_source(question: str, hits: list[Hit]) -> list[Draft] | None:
    """ "出自《标题》（发文机关，日期）：" and the first sentence found that holds the quoted phrase."""
    for phrase in _QUOTED.findall(question):
        for hit in hits:
            said = next((s for s in sentences(plain(hit.passage.text), clauses=False) if phrase in s), "")
            if said:
                source = "，".join(x for x in (hit.meta.issuer, hit.meta.date) if x)
                lead = f"“{phrase}”出自《{hit.meta.title}》" + (f"（{source}）" if source else "")
                return [(f"{lead}：{as_sentence(said)}", (hit,))]
    return None


def listed_problem(library: Library, terms: QueryTerms, question: str, hits: list[Hit]) -> list[Draft] | None:
    """The problem of an older plan's or article's problem list ("着重解决以下7个问题：①精神缺钙。…②…")
    that the question describes, with its marker and description. The teacher model picks it where the
    library has one (it put the described problem first for each of three tried; the static model and
    the words for one); else the question's own words (not the list's title, not "问题") when they pick
    one clearly (CLEAR_PICK); else the list whole, to choose from."""
    offered = [(hit, text) for hit in hits[:NEAREST] for text in listed_problems(hit.passage.text)]
    if not offered:
        return None
    meaning = library.text_meaning(question, [text for _, text in offered])
    if meaning.any():
        hit, text = offered[int(np.argmax(meaning))]
        return _one_of_the_list(hit, text)
    described = QueryTerms({w: v for w, v in terms.idf.items() if not PROBLEM_LIST.search(w)})
    scored = sorted(
        ((own_words(described, hit.meta.title).share(text.lower()), hit, text) for hit, text in offered),
        key=lambda s: -s[0],
    )
    (best, hit, text), runner_up = scored[0], (scored[1][0] if len(scored) > 1 else 0.0)
    if best > 0 and best >= CLEAR_PICK * runner_up:
        return _one_of_the_list(hit, text)
    return problem_list(hit)


def _one_of_the_list(hit: Hit, problem: str) -> list[Draft]:
    return [(as_sentence(f"《{hit.meta.title}》所列问题中，{problem}"), (hit,))]


NAME_ASKED = re.compile(r"叫(?:做|作)?什么|称(?:为|作)什么|什么说法")
_NAMED_PROBLEM = re.compile(r"“[^”]{2,10}”(?:问题|现象)")  # "…不知做得好不好的“三不知”问题"


def named_problem(library: Library, asked: Asked, question: str, hits: list[Hit]) -> list[Draft] | None:
    """ "2015年杂志把这种情况叫做什么问题": the sentence that gives a problem its quoted name, in the
    documents the question names (else the passages found); of several, the one the teacher finds
    nearest the description (the first where the library has no teacher)."""
    if not NAME_ASKED.search(question):
        return None
    pool = [h for doc in asked.documents for h in library.document_passages(doc)] or hits[:NEAREST]
    offered = [(h, s) for h in pool for s in sentences(plain(h.passage.text)) if _NAMED_PROBLEM.search(s)]
    if not offered:
        return None
    meaning = library.text_meaning(question, [s for _, s in offered])
    hit, sentence = offered[int(np.argmax(meaning))]
    return [(as_sentence(sentence), (hit,))]


def problem_list(hit: Hit, limit: int = 400) -> list[Draft] | None:
    """A short passage listing problems ("着重解决以下7个问题：①…②…"), quoted whole: the problem a user
    describes is one of them. None for any other passage: its other sentences would answer nothing."""
    text = plain(hit.passage.text)
    return [(as_sentence(text), (hit,))] if listed_problems(hit.passage.text) and len(text) <= limit else None
