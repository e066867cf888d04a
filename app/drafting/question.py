"""Question understanding: which documents of the library a question names, and what it asks for.

Secretaries name documents the way they talk: "纪律处分条例", "党章", "三年行动", "党建要点",
"2020年方案", "2015年那期杂志". A question that names documents is answered from them first
(index/search.py `scope`), which is what "按纪律处分条例怎么处分" means. Pure functions over the
library's titles, years and kinds (`document_names` reads them once per library state). `understand` adds the kind of
answer asked for (a checklist item, a penalty, a list, a comparison, measures, a fact, lecture
material) and says plainly when a document or year the question names is not in the library.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from index.library import Library
from ingest.models import Hit

# A shared run of title characters this long names a document ("问责条例", "执行有效")...
MIN_SHARED = 4
# ...unless it is common to many titles or made of the words every title uses.
MAX_TITLES = 2
MAX_RUN = 16  # longer shared runs are found through their 16-character parts
# How a document's own name ends; a title ending otherwise ("……应当如何认定", a case digest's) is no name.
NAME_ENDINGS = (
    "法",
    "条例",
    "规定",
    "准则",
    "细则",
    "办法",
    "章程",
    "方案",
    "要点",
    "计划",
    "清单",
    "意见",
    "通知",
    "决定",
    "解释",
    "规则",
)
# Words after a run that use it as a document's name: "三年行动里", "作风整顿方案".
DOCUMENT_CUES = ("里", "方案", "计划", "文件", "要求", "规定", "提出", "明确", "说")
GENERIC = (
    "中国共产党",
    "市直机关",
    "模范机关",
    "机关党建",
    "实施方案",
    "创建活动",
    "工作作风",
    "关于",
    "若干",
    "东莞",
)
# Everyday names that share no long run with the title: the name in the question -> a part of the title.
SHORT_NAMES = {"党章": "章程", "处分": "纪律处分", "问责": "问责条例"}
# How far after its year a kind word may come and still mean that year's document ("2020年作风整顿方案").
YEAR_KIND_GAP = 8
CHECKLIST_GAP = 16  # "2026年市直机关作风建设重点问题清单": a checklist's name is long
# How people say a document's kind (DocumentMeta.kind) together with its year.
KIND_WORDS = {
    "方案": ("方案",),
    "要点": ("要点",),
    "刊物": ("杂志", "刊物", "期刊", "那期", "那篇"),
    "条例": ("条例",),
    "准则": ("准则",),
    "规定": ("规定",),
    "细则": ("细则",),
    "通知": ("通知",),
    "清单": ("清单",),
}
YEAR = re.compile(r"((?:19|20)\d\d)\s*年")
_SPELLINGS = (("党的建设", "党建"), ("（", "("), ("）", ")"))
_QUOTED = re.compile(r"《([^》]{2,40})》")  # book-title marks: a name; “…” quotes a term as often
_QUOTES = re.compile(r"[《》“”\"'‘’〈〉「」]")
_YEAR_RUN = re.compile(r"[\d\-－—~～]+年?")
_ISSUE = re.compile(r"第[一二三四五六七八九十\d]+期")  # a magazine's issue
# A rule named by its own name ("纪律处分条例对…", "按廉洁自律准则，…"): at the question's start, after a
# mark, or after 按/按照/根据/依据/对照; of the kinds whose names are names, not everyday words ("有关规定",
# "工作方案", "具体办法" are not). Its first words, then its kind.
_RULE_NAME = re.compile(
    r"(?:按照|根据|依据|对照|按|依|^|[，。？！、；：\s《“])([\u4e00-\u9fff]{3,10}?)(条例|准则|细则|章程)"
)
_NOT_A_NAME = ("这", "那", "该", "此", "本", "其", "上述", "有关", "相关", "哪", "什么", "各")
_TITLE_YEARS = re.compile(r"((?:19|20)\d\d)\s*(?:[-－—~～至到]\s*((?:19|20)\d\d))?")


@dataclass(frozen=True)
class LibraryDocument:
    """What a question can name a document by."""

    id: str
    title: str
    date: str  # ISO, or just the year
    kind: str
    parts: tuple[str, ...] = ()  # named parts inside it: a plan's checklist (《2025年…重点问题清单》)


def _plain(text: str) -> str:
    """Quotes dropped, spellings unified, years blanked (a year alone names no document: see KIND_WORDS)."""
    text = _YEAR_RUN.sub("|", _QUOTES.sub("", text))
    for spelled, plain in _SPELLINGS:
        text = text.replace(spelled, plain)
    return text


def _title_words(title: str) -> str:
    """The title with its generic words broken out, so a shared run must be a distinctive part."""
    title = _plain(title)
    for word in GENERIC:
        title = title.replace(word, "|")
    return title


class DocumentNames:
    """The library's documents by the names a question may use, built once per library.

    A run of title characters names its document when it is distinctive (in at most MAX_TITLES
    titles, not made of GENERIC words) and used as a name: the title's own name ending ("纪律处分条例"),
    in book-title marks (《…》), followed by a word that treats it as a document ("三年行动里",
    "“执行有效”方案"), or
    said with the document's year ("2020年作风整顿"). A layperson's "劳动合同" inside a sentence
    names nothing, so a large law library is not narrowed by everyday words.
    """

    def __init__(self, documents: Sequence[LibraryDocument]) -> None:
        self.order = [d.id for d in documents]
        self.year = {d.id: d.date[:4] for d in documents}
        self.title = {d.id: d.title for d in documents}
        self.plain_titles = {d.id: _plain(d.title) for d in documents}
        self.parts = {_plain(part): d.id for d in documents for part in d.parts}
        runs: dict[str, dict[str, bool]] = {}
        for doc in documents:
            title = _title_words(doc.title).rstrip("|()")
            for start in range(len(title)):
                for end in range(start + MIN_SHARED, min(len(title), start + MAX_RUN) + 1):
                    run = title[start:end]
                    if "|" not in run:
                        runs.setdefault(run, {})[doc.id] = end == len(title) and run.endswith(NAME_ENDINGS)
        self.runs = {run: docs for run, docs in runs.items() if len(docs) <= MAX_TITLES}
        self.short = {
            name: [d.id for d in documents if part in _title_words(d.title)]
            for name, part in SHORT_NAMES.items()
        }
        self.by_year_kind: dict[tuple[str, str], list[str]] = {}
        for doc in documents:
            self.by_year_kind.setdefault((doc.date[:4], doc.kind), []).append(doc.id)

    def named(self, question: str) -> list[str]:
        """Ids of the documents the question names, in library order; [] when it names none."""
        years = set(YEAR.findall(question))
        quoted = {_plain(q) for q in _QUOTED.findall(question)}
        q = _plain(question)
        named: set[str] = set()
        alike: list[set[str]] = []  # documents one shared run names together ("问题清单")
        for start in range(len(q)):
            for end in range(min(len(q), start + MAX_RUN), start + MIN_SHARED - 1, -1):
                titled = self.runs.get(q[start:end])
                if titled is None:
                    continue
                as_name = q[start:end] in quoted or q[end : end + 2].startswith(DOCUMENT_CUES + NAME_ENDINGS)
                by_run = {d for d, ending in titled.items() if ending or as_name or self.year[d] in years}
                (alike.append(by_run) if len(by_run) > 1 else named.update(by_run))
                break
        named.update(d for name, known in self.short.items() if name in q for d in known)
        named.update(self.parts[name] for name in quoted if name in self.parts)
        for year, kind, _ in year_kinds(question):
            named.update(self.by_year_kind.get((year, kind), []))
        own = self._named_by_own_words(q) if alike else set()
        for group in alike:  # of documents a run names alike, those the question also names by their own words
            named.update((own & group) or group)
        return [d for d in self.order if d in named] if named else []

    def _named_by_own_words(self, q: str) -> set[str]:
        """Documents the question names by a run of their title no other title has ("农业农村局的问题清单")."""
        return {
            next(iter(docs))
            for start in range(len(q))
            for end in range(start + MIN_SHARED, min(len(q), start + MAX_RUN) + 1)
            if len(docs := self.runs.get(q[start:end], {})) == 1
        }

    def years_of(self, doc_id: str) -> set[str]:
        """The years a document is of: its date's, and those its title spans ("2025-2027年")."""
        years = {self.year[doc_id]}
        span = _TITLE_YEARS.search(self.title[doc_id])
        if span:
            years.update(str(y) for y in range(int(span.group(1)), int(span.group(2) or span.group(1)) + 1))
        return years

    def _holds_name(self, name: str) -> bool:
        """Whether some title (or checklist part, or everyday short name) holds the name or it them."""
        wanted = _plain(name)
        return any(wanted in t or t in wanted for t in [*self.plain_titles.values(), *self.parts]) or any(
            short in wanted and known for short, known in self.short.items()
        )

    def missing(self, question: str, named: Sequence[str]) -> str:
        """A line saying which document or year the question names that the library does not hold
        ("库里没有2026年的问题清单；最近的是2025年的《…》"); "" when it holds them all."""
        for quoted in _QUOTED.findall(question):
            if len(_plain(quoted)) >= MIN_SHARED and not self._holds_name(quoted):
                return f"库里没有《{quoted}》。"
        for found in _RULE_NAME.finditer(question.strip()):
            # "纪律处分条例", "廉洁自律准则": a rule's own name, no run of whose first words a title holds
            # (people shorten titles: "党内政治生活准则" for 关于新形势下党内政治生活的若干准则)
            core, kind = _plain(found.group(1)), found.group(2)
            size = min(MIN_SHARED, len(core))
            runs = [core[i : i + size] for i in range(len(core) - size + 1)]
            if not core.startswith(_NOT_A_NAME) and not any(self._holds_name(run) for run in runs):
                return f"库里没有《{found.group(1)}{kind}》。"
        for issue in _ISSUE.findall(question):
            if not any(issue in self.title[d] for d in named or self.order):
                issues = [t for t in self.title.values() if _ISSUE.search(t)]
                held = f"库里的是《{issues[0]}》。" if issues else ""
                return f"库里没有所问的{issue}。{held}"
        for year, kind, word in year_kinds(question):
            same_kind = [d for (y, k), ids in self.by_year_kind.items() if k == kind for d in ids]
            if same_kind and not self.by_year_kind.get((year, kind)):
                nearest = min(same_kind, key=lambda d: (abs(int(self.year[d] or 0) - int(year)), d))
                return (
                    f"库里没有{year}年的{word}；最近的是{self.year[nearest]}年的《{self.title[nearest]}》。"
                )
        for found in YEAR.finditer(question):
            year = found.group(1)
            # the document named right after the year: "2019年修订的问责条例", not "2023年方案和今年党建要点"
            window = re.split(
                r"[和与及、，,；。？]", question[found.end() : found.end() + YEAR_KIND_GAP + 4]
            )[0]
            after = self.named(window)
            if after and not any(year in self.years_of(d) for d in after):
                doc = after[0]
                return f"库里的《{self.title[doc]}》是{self.year[doc]}年的版本，没有{year}年的。"
        return ""


_names: weakref.WeakKeyDictionary[Library, DocumentNames] = weakref.WeakKeyDictionary()


def document_names(library: Library) -> DocumentNames:
    """The library's document names, built once per library state and shared by every user and search."""
    names = _names.get(library)
    if names is None:
        parts: dict[str, set[str]] = {}
        for hit in library.checklist_items():
            if hit.passage.item and hit.passage.item.checklist:
                parts.setdefault(hit.passage.doc_id, set()).add(hit.passage.item.checklist)
        rows = [
            LibraryDocument(d.id, d.meta.title, d.meta.date, d.meta.kind, tuple(sorted(parts.get(d.id, ()))))
            for d in library.documents()
        ]
        names = _names[library] = DocumentNames(rows)
    return names


# A question of which checklist item something is ("属于清单里哪一条", "对应哪一条清单内容"), not of which
# document a checklist is ("“三级六岗”责任清单是哪个文件提出的"): its search ranks the items among themselves.
# "清单里，<a description>，是第几条？": the checklist named, the problem described, then the item asked for
ITEM_AFTER_DESCRIPTION = r"清单.*(?:是|属于|算|对应)(?:第几|哪一?)[条项]"
CHECKLIST_QUESTION = re.compile(
    r"清单.{0,6}(?:哪|第几|什么)(?!时候|时间|天|年|月|日|.{0,3}(?:文件|单位|部门))"  # not "清单…什么时候报"
    r"|(?:哪|第几)(?:一|几)?[条项].{0,6}清单"
    rf"|{ITEM_AFTER_DESCRIPTION}"
)


def asks_item(question: str) -> bool:
    """Whether the question asks which checklist item something is."""
    return bool(CHECKLIST_QUESTION.search(question))


def search_as_asked(library: Library, question: str, k: int) -> list[Hit]:
    """The library searched as the question asks: the documents it names first, and the checklist items
    ranked among themselves when it asks which item (the index reads neither from the text itself)."""
    return library.search(question, k, document_names(library).named(question), asks_item(question))


def named_documents(question: str, documents: Sequence[LibraryDocument]) -> list[str]:
    """Ids of the documents the question names (see DocumentNames); build DocumentNames once to ask often."""
    return DocumentNames(documents).named(question)


def year_kinds(question: str, gap: int = YEAR_KIND_GAP) -> list[tuple[str, str, str]]:
    """(year, kind, the word said) for each "2020年…方案": the first kind word within YEAR_KIND_GAP
    characters after a year, so "2023年方案和今年党建要点" is the 2023 方案 only."""
    spoken = {w: kind for kind, words in KIND_WORDS.items() for w in words}
    pattern = re.compile("|".join(sorted(map(re.escape, spoken), key=len, reverse=True)))
    found = []
    for year in YEAR.finditer(question):
        window = re.split(r"[，。；？！,;?!]", question[year.end() : year.end() + gap + 2])[0]
        word = pattern.search(window)
        if word:
            found.append((year.group(1), spoken[word.group()], word.group()))
    return found


def missing_checklist(question: str, checklists: Sequence[str]) -> str:
    """ "2026年的问题清单" when the library's checklists (by name) are of other years: a line saying so
    and naming the nearest; "" otherwise. A checklist is often part of a plan, so no document is named 清单."""
    names = sorted(set(checklists))
    for year, kind, _ in year_kinds(question, CHECKLIST_GAP):
        if kind != "清单" or not names or any(year in name for name in names):
            continue
        dated = [(int(y), n) for n in names for y in YEAR.findall(n)]
        nearest = min(dated, key=lambda yn: abs(yn[0] - int(year)))[1] if dated else names[0]
        return f"库里没有{year}年的问题清单；最近的是《{nearest}》。"
    return ""


class Kind(StrEnum):
    """The kind of answer a question asks for; the composer shapes the answer by it."""

    ITEM = "item"  # which checklist item / which listed problem
    PENALTY = "penalty"  # which article, and its grades
    LIST = "list"  # the elements a section enumerates
    COMPARE = "compare"  # what each of several documents says
    MEASURES = "measures"  # concrete ways to act
    LECTURE = "lecture"  # material to quote in a Party lecture
    FACT = "fact"  # a number, date, person, place, name, frequency or deadline
    GENERAL = "general"


COMPARING_CUE = re.compile(
    r"对比|比较|相比|分别|各自|各提|各有|又有什么新|又是怎么|有什么不同|有何不同|区别|异同"
)
# In order: the first that matches decides ("属于清单哪几条" is an item question, not a list).
KIND_CUES: tuple[tuple[Kind, re.Pattern[str]], ...] = (
    (Kind.LECTURE, re.compile(r"党课|讲稿|引哪些|原文出处|找依据|哪些材料可以用")),
    (
        Kind.ITEM,
        re.compile(
            r"(?:属于|对应|涉及|算|归|是|讲)[^，。？]{0,12}清单|(?:哪|第几)(?:一|几)?[条项个].{0,6}清单"
            r"|清单[^，。？]{0,12}(?:哪一?[条项]|第几[条项])|问题(?:里|中).{0,8}(?:哪|算)|(?:算|属于|对应|归到|归为|归入|归在).{0,10}(?:哪一?[种条个项类]|什么问题)|叫做?什么问题|哪条说的"
            rf"|{ITEM_AFTER_DESCRIPTION}"
        ),
    ),
    # the kinds of sanction there are ("纪律处分有哪几种", "问责方式有哪些") is a list, not a penalty
    # and so are the circumstances a rule lists ("在什么情况下予以问责": 有下列情形之一的…)
    (
        Kind.LIST,
        re.compile(
            r"(?:处分|问责|处理)的?(?:种类|方式|形式)|(?:处分|问责)(?:有|分为?)?哪(?:几|些)种?"
            r"|什么情况下|哪些情形|什么情形"
        ),
    ),
    # not what follows a sanction ("留党察看处分期间有什么权利限制", "受到警告处分后多久…")
    (
        Kind.PENALTY,
        re.compile(
            r"处分(?!期间|后|决定)|(?:怎么|如何|怎样)(?:处理|定性)|纪律上|什么后果|对应的条款|违反哪条"
        ),
    ),
    (
        Kind.COMPARE,
        COMPARING_CUE,
    ),
    (Kind.MEASURES, re.compile(r"办法|做法|治法|怎么(?:改|纠正|解决|破解)|如何(?:改|纠正|解决)|能纠正")),
    (
        Kind.LIST,
        re.compile(
            r"哪几|哪些|几大|几个方面|几种|几类|是哪[二三四五六七八九十两]|哪[二三四五六七八九十两\d]+个?(?:方面|项|条|类|种|问题)|分成哪|包括什么"
        ),
    ),
    (
        Kind.FACT,
        re.compile(
            r"几|多少|多久|多长|哪天|哪一?年|何时|什么时候|谁|哪位|叫什么|叫啥|名字|哪个|哪里|字号|是什么"
        ),
    ),
)
# What a fact question asks for, and what a sentence must hold to answer it.
FACTS: tuple[tuple[str, re.Pattern[str], re.Pattern[str]], ...] = (
    ("金额", re.compile(r"多少钱|多少元|标准是多少"), re.compile(r"\d+(?:\.\d+)?\s*(?:万|千)?元")),
    (
        "日期",
        re.compile(r"几月几[号日]|哪天|哪一天"),
        re.compile(r"\d+\s*月\s*\d+\s*[日号]|[一二三四五六七八九十]+月[一二三四五六七八九十]+日"),
    ),
    (
        "时间",
        re.compile(r"什么时候|何时|什么时间"),
        re.compile(
            r"\d+\s*月|[一二三四五六七八九十]+月|\d{4}\s*年|年初|年底|年中|上半年|下半年"
            r"|之日|之前|之后|以前|以后|期满|届满|起"
        ),
    ),
    ("年份", re.compile(r"哪一?年"), re.compile(r"(?:19|20)\d\d\s*年")),
    # how long a term runs ("多久换届一次": 每届任期3年), before how often something is held, which a term
    # of office does not answer ("支部委员会会议多久召开一次" is not answered by 每届任期一般为3年)
    (
        "任期",
        re.compile(r"(?:换届|任期).{0,6}(?:多久|多长|几年)|多久换届|届.{0,4}几年"),
        re.compile(r"每届|任期[^。；]{0,8}[\d一二三四五六七八九十]+年|[一二三四五六七八九十\d]+年一"),
    ),
    (
        "频次",
        re.compile(r"多久(?:一次|开一次|召开一次)|多长时间.{0,4}一次|几年一|一般多久"),
        re.compile(r"每(?:年|半年|季度|季|月|周)|[一二三四五六七八九十\d]+年一"),
    ),
    (
        "期限",
        re.compile(r"多久|多长时间|多长"),
        re.compile(r"[\d一二三四五六七八九十半两]+\s*(?:年|个月|个工作日|天|日|周)"),
    ),
    (
        "人",
        # "工委书记叫什么": a post's holder; "平台叫什么名字" names a thing, not a person
        re.compile(
            r"谁|哪位|哪个人|姓名|(?:书记|主任|部长|局长|组长|处长|科长|负责人|主席)(?:的名字)?(?:叫什么|姓什么)"
        ),
        # a name ("组长：张三", "由张三同志"), or who holds the post ("由本单位党员负责人担任")
        re.compile(
            r"[：:]\s*[\u4e00-\u9fff]{2,4}(?:同志)?(?:[，。、；（(\s]|$)|由[\u4e00-\u9fff]{2,4}同志"
            r"|由[^，。；]{2,24}?(?:担任|兼任)"
        ),
    ),
    (
        "地点",
        re.compile(r"在哪里|在哪儿|哪里比|什么地方|地点"),
        re.compile(r"在[^，。；]{2,16}(?:举行|举办|召开|进行)|地点"),
    ),
    # a share ("优秀比例是多少"): a percentage or a fraction, which a count ("第二十一条") does not answer
    (
        "比例",
        re.compile(r"比例|比率|占比|百分之几|百分比"),
        re.compile(
            r"\d+(?:\.\d+)?\s*[%％]|百分之[\d一二三四五六七八九十百]+|[\d一二三四五六七八九十]+分之[\d一二三四五六七八九十]+"
        ),
    ),
    # a count: a number with a counting word, or a bare number that is no year and no day of a date
    # ("2026年，局机关…" does not say how much a budget is)
    (
        "数目",
        re.compile(r"几[个次项人天组条道名]|多少"),
        re.compile(
            r"[\d一二三四五六七八九十百千两]+\s*[个次项人天组条道名%％]"
            r"|(?<![\d.])(?!(?:19|20)\d\d\s*年)\d+(?:\.\d+)?(?![\d.])(?!\s*[月日号])"
        ),
    ),
)
# A template's blanks: the document does not say.
PLACEHOLDER = re.compile(r"X{2,}|×{2,}|＿{2,}|_{3,}|某某")


@dataclass(frozen=True)
class Asked:
    """What a question asks: its kind, the fact it wants (if one), the documents it names, and what it
    names that the library lacks (a line for the user; "" when nothing is missing)."""

    kind: Kind
    fact: str
    documents: tuple[str, ...]
    missing: str = ""

    def fact_pattern(self) -> re.Pattern[str] | None:
        return next((answer for name, _, answer in FACTS if name == self.fact), None)


# The theme of a Party lecture: quoted ("讲“密切联系群众”的党课"), or after 关于/讲 ("关于以赛促学的党课").
LECTURE_THEME = (
    re.compile(r"[“\"]([^”\"]{2,20})[”\"]"),
    re.compile(r"关于(.{2,30}?)的(?:主题)?党课"),
    re.compile(r"讲(?:一堂|一课)?(?:关于)?([^，。？]{4,30}?)(?:的党课|[，。？]|$)"),
)


def lecture_theme(question: str) -> str:
    """What a lecture question is about, without how it is asked ("想讲一堂…能引哪些话"); the whole
    question when no form of theme is found."""
    return next((m.group(1) for p in LECTURE_THEME if (m := p.search(question))), question)


_QUOTED_WORDS = re.compile(r"“[^”]*”|\"[^\"]*\"")


def answer_kind(question: str) -> Kind:
    """The first kind whose cue the question's own words hold: words it quotes ("“……没区别……”这种表现")
    are what it asks about, not how it asks."""
    asking = _QUOTED_WORDS.sub("“”", question)
    return next((kind for kind, cue in KIND_CUES if cue.search(asking)), Kind.GENERAL)


def fact_asked(question: str) -> str:
    """The fact a question wants ("日期", "金额", …), or ""."""
    return next((name for name, asked, _ in FACTS if asked.search(question)), "")


def understand(question: str, names: DocumentNames) -> Asked:
    """The question's kind, wanted fact, named documents, and what it names that the library lacks."""
    documents = tuple(names.named(question))
    kind = answer_kind(question)
    if kind is Kind.COMPARE and not documents:
        kind = Kind.GENERAL
    # "党章和纪律处分条例…有什么区别": the 处分 is a document's name; two named documents compared is a comparison
    if kind is Kind.PENALTY and len(documents) >= 2 and COMPARING_CUE.search(question):
        kind = Kind.COMPARE
    fact = fact_asked(question) if kind in (Kind.FACT, Kind.GENERAL, Kind.PENALTY) else ""
    return Asked(kind, fact, documents, names.missing(question, documents))
