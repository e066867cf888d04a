"""Verify, and repair, one library: what a crash, a full disk or another program can leave behind.

A library is whole when every passage belongs to a recorded document, every recorded document has all
its passages, each with a vector of the collection's size that is not all zeros, and the lexical index
holds exactly the recorded documents' passages. Repairing removes stray passages, removes documents
that are not whole (their files are then read again by the caller) and rebuilds the lexical index;
nothing a user ingested is lost while its file is still there.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from index.lexical import storage
from index.updater import rebuild_lexical
from index.vector_store import PassageStore
from ingest.models import passage_id


@dataclass
class Findings:
    """What `inspect` found: one Chinese line per problem, and what a repair acts on."""

    lines: list[str] = field(default_factory=list)
    strays: list[str] = field(default_factory=list)  # doc ids of passages without a document record
    broken: dict[str, str] = field(default_factory=dict)  # doc id -> source path, documents not whole
    lexical_stale: bool = False

    @property
    def whole(self) -> bool:
        return not self.lines


def inspect(store: PassageStore, lexical_folder: Path) -> Findings:
    """Every problem of the library, without changing anything."""
    found = Findings()
    records = {d.id: d for d in store.list_documents()}
    present: dict[str, set[str]] = {}
    vectorless: Counter[str] = Counter()
    for pid, doc_id, has_vector in store.passage_health():
        present.setdefault(doc_id, set()).add(pid)
        if not has_vector:
            vectorless[doc_id] += 1
    found.strays = sorted(set(present) - set(records))
    if found.strays:
        count = sum(len(present[d]) for d in found.strays)
        found.lines.append(
            f"有 {count} 个段落不属于任何已登记的文件（导入中断留下的），涉及 {len(found.strays)} 个文件。"
        )
    for doc_id, record in sorted(records.items()):
        wanted = {passage_id(doc_id, n) for n in range(record.passages)}
        missing = len(wanted - present.get(doc_id, set()))
        if missing:
            found.lines.append(f"文件 {doc_id} 缺了 {missing} 个段落（登记了 {record.passages} 个）。")
        elif vectorless[doc_id]:
            found.lines.append(f"文件 {doc_id} 有 {vectorless[doc_id]} 个段落没有可用的向量。")
        else:
            continue
        found.broken[doc_id] = record.source_path
    saved = storage.load(lexical_folder)
    indexed = {pid for doc_id in records for pid in present.get(doc_id, set())}
    if saved is None or set(saved.ids) != indexed:
        found.lexical_stale = True
        found.lines.append("关键词索引与段落库不一致，需要重建。")
    return found


def repair(store: PassageStore, lexical_folder: Path, found: Findings) -> list[str]:
    """Remove stray passages and documents that are not whole, and rebuild the lexical index; the
    source files of the removed documents, for the caller to ingest again."""
    if found.strays:
        store.delete_documents(found.strays)
    if found.broken:
        store.delete_documents(sorted(found.broken))
    if found.strays or found.broken or found.lexical_stale:
        rebuild_lexical(store, lexical_folder)
    return sorted(set(found.broken.values()))
