"""`build_services(settings)`: the one place where engines are wired together.

The CLI and the pages call these methods; they never see Chroma, bm25s or
torch. Heavy things (the embedding model, the lexical index) are built on first
use and kept, so a search that needs no embedding never loads torch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from app.settings import Settings
from index.embeddings import Embedder
from index.lexical import BIGRAMS, WORDS
from index.search import CHECKLIST, DENSE, SearchEngine
from index.updater import IngestReport, ProgressFn, refresh_lexical, run_ingest
from index.vector_store import PassageStore
from ingest.errors import IndexMissing

READS_CHINESE = "reads_chinese"


class Services:
    """Everything built from one Settings object, shared by the CLI and the web app."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store = PassageStore(settings.data_dir, settings.embed_model, settings.chroma_url)
        self._embedder: Embedder | None = None
        self._engine: SearchEngine | None = None

    @property
    def lexical_folder(self) -> Path:
        return self.settings.data_dir / "lexical" / self.store.namespace

    def embedder(self) -> Embedder:
        """The embedding model, loaded once; records whether it reads Chinese in the collection."""
        if self._embedder is None:
            s = self.settings
            self._embedder = Embedder.load(s.embed_model, s.device, s.embed_batch_size)
            if self.store.collection_metadata.get(READS_CHINESE) != self._embedder.reads_chinese:
                self.store.set_collection_metadata(**{READS_CHINESE: self._embedder.reads_chinese})
        return self._embedder

    def _embed(self, texts: list[str]) -> np.ndarray:
        return self.embedder().embed_passages(texts)

    def ingest(
        self,
        paths: Iterable[Path] | None = None,
        prune: bool = False,
        progress: ProgressFn | None = None,
        on_discovered: Callable[[int], None] | None = None,
    ) -> IngestReport:
        """Ingest files or folders (default: the bundled corpus) and refresh the search engine."""
        report = run_ingest(
            list(paths) if paths else [self.settings.corpus_dir],
            self.store,
            self._embed,
            self.lexical_folder,
            self.settings.chunk_chars,
            prune=prune,
            progress=progress,
            on_discovered=on_discovered,
        )
        self._engine = None
        return report

    def weights(self) -> dict[str, float]:
        """Fusion weights; the dense channel counts only when its model reads Chinese."""
        s = self.settings
        dense = s.dense_weight
        if dense is None:
            dense = 1.0 if self.store.collection_metadata.get(READS_CHINESE) else 0.0
        return {WORDS: s.word_weight, BIGRAMS: s.bigram_weight, DENSE: dense, CHECKLIST: s.checklist_weight}

    def engine(self) -> SearchEngine:
        """The search engine over the current index; IndexMissing before the first ingest."""
        if self._engine is None:
            if self.store.count() == 0:
                raise IndexMissing("索引为空：请先运行 `dangjian ingest` 导入文件。")
            lexical = refresh_lexical(self.store, self.lexical_folder)
            self._engine = SearchEngine(self.store, lexical, self.weights(), self.embedder, self.settings.rrf_k)
        return self._engine


def build_services(settings: Settings) -> Services:
    return Services(settings)
