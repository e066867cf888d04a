"""Domain objects shared by every layer: a Document, its Passages, and a search Hit.

They are plain frozen dataclasses so ingest stays pure (no index code) and the
index can serialise them to Chroma metadata without knowing where they came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SECTION_SEPARATOR = " › "


@dataclass(frozen=True)
class DocumentMeta:
    """What a citation prints about a document: 《title》（issuer，date）doc number."""

    title: str
    issuer: str = ""
    date: str = ""  # ISO "YYYY-MM-DD" or "YYYY-MM" or "YYYY"; "" when unknown
    doc_number: str = ""  # e.g. 东直〔2025〕3号
    kind: str = ""  # 通知/方案/要点/清单/条例/刊物/法律 …
    series: str = ""  # documents of one series (yearly key points …): the newest supersedes the rest


@dataclass(frozen=True)
class Document:
    """One source file after loading and cleaning.

    `id` is stable: the path relative to its corpus root, so re-ingesting the
    same file replaces rather than duplicates it. `content_hash` covers the raw
    bytes plus the pipeline version, so unchanged files are skipped.
    """

    id: str
    meta: DocumentMeta
    text: str
    source_path: str
    content_hash: str


@dataclass(frozen=True)
class ChecklistItem:
    """A numbered entry of a 问题清单 (problem checklist)."""

    number: str  # "9"
    category: str  # 形式主义官僚主义方面
    checklist: str  # 2025年市直机关作风建设重点问题清单
    text: str
    # How people describe the problem in everyday words (corpus metadata): searched, never shown as a quote.
    plain_words: str = ""
    # A table row's other columns, named by their headers ("整改措施：…；责任单位：…"): a ledger's row says
    # what is to be done, by whom and by when, and an answer about the problem shows it.
    details: str = ""

    @property
    def label(self) -> str:
        """ "第9条（形式主义官僚主义方面）", or "第9条" when the checklist has no categories."""
        return f"第{self.number}条（{self.category}）" if self.category else f"第{self.number}条"


@dataclass(frozen=True)
class Passage:
    """The unit of retrieval and citation.

    `start`/`end` index into the cleaned `Document.text`, so the page can
    highlight the cited span in the full document.
    """

    doc_id: str
    ordinal: int  # position within the document, for stable ids and ordering
    text: str
    section: tuple[str, ...]
    start: int
    end: int
    item: ChecklistItem | None = None

    @property
    def id(self) -> str:
        return passage_id(self.doc_id, self.ordinal)

    @property
    def section_path(self) -> str:
        return SECTION_SEPARATOR.join(self.section)


@dataclass(frozen=True)
class Hit:
    """A passage returned by search, with the document facts needed to cite it."""

    passage: Passage
    meta: DocumentMeta
    score: float
    channels: dict[str, int] = field(default_factory=dict)  # channel name -> rank there

    def citation_head(self) -> str:
        """《title》（issuer，date）— the way Party-affairs staff cite a document."""
        facts = "，".join(x for x in (self.meta.issuer, self.meta.date) if x)
        return f"《{self.meta.title}》" + (f"（{facts}）" if facts else "")


def passage_id(doc_id: str, ordinal: int) -> str:
    """A passage's id: its document's id and its position there, so a document's ids are known from its count."""
    return f"{doc_id}#{ordinal}"


def document_of(pid: str) -> str:
    """The document a passage id belongs to."""
    return pid.rsplit("#", 1)[0]
