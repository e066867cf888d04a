"""Lexical engines side by side at scale: the lexical index (tantivy) against plain bm25s, which it
replaced, and SQLite FTS5, over the same pre-tokenised passages of the law corpus (~150,000 passages).

bm25s needed a delta segment written into its internals for updates (removed with it); tantivy
updates itself. Per engine:
- build: indexing the passages' tokens, saved to disk (tokenising is the same jieba and bigram
  work for every engine: measured once, as `tokenise_s`);
- warm query p50/p95 over 200 real questions (75 dev-set questions, 125 STARD ones), both
  channels 100 deep as search fuses them, every engine with the same query tokens;
- update: three documents replaced (their passages deleted, edited ones inserted, tokenising
  included), until searchable and on disk, five times over other documents (the median
  counts; bm25s has no update of its own: not measured); then the edit must be found;
- ranking: top-10 overlap with bm25s per channel, and recall@10 per channel on the 125 STARD
  questions (a gold article's first 30 characters inside a top-10 passage, as evals/bench_stard.py);
  size on disk.

The lexical index is measured as the product runs it (index/lexical: an update hard-links the
saved folder, deletes and adds in tantivy, and swaps the metadata). FTS5 (Python's own sqlite3)
takes the tokens as space-joined text with its `ascii` tokenizer, which keeps every non-ASCII
character as a token character, so a jieba word stays whole; it ranks with bm25() (k1 1.2, IDF
without bm25s's +1, so a character in most passages weighs 0). bm25s is a dev dependency.

    .venv/bin/python evals/bench_lexical_engines.py [--work data/bench-lexical-engines] [--documents N]

Writes evals/results/lexical_engines.json. Says so and exits 0 when ../shared/bench is absent.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any, Protocol

import bm25s
import numpy as np
import tantivy

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from evals.bench_stard import STARD, first_hit, gold_prefixes  # noqa: E402
from evals.common import LAWS, ROOT, SHARED, write_result  # noqa: E402
from index.lexical import WORDS, LexicalIndex, storage  # noqa: E402
from index.lexical.tantivy_index import TantivyIndex  # noqa: E402
from index.lexical.tokens import CHANNELS, tokenized  # noqa: E402
from index.search import CHANNEL_DEPTH  # noqa: E402
from index.tokenize import ChineseTokenizer, harvest_terms, read_term_file  # noqa: E402
from index.updater import POLICY_TERMS, lexical_text  # noqa: E402
from ingest.discovery import discover  # noqa: E402
from ingest.models import document_of  # noqa: E402
from ingest.pipeline import document_passages, read_document  # noqa: E402

DEV_SETS = (SHARED / "eval" / "dev_qa.jsonl", SHARED / "eval" / "dev_qa2.jsonl")
DEV_QUESTIONS = 75
STARD_QUESTIONS = 125
REPLACED = 3
ROUNDS = 5
EDIT = "第九十九条 机关食堂应当公示每周菜谱并接受干部职工监督。"

Tokens = dict[str, tuple[str, ...]]  # channel -> query tokens


class Engine(Protocol):
    """What the benchmark asks of each engine: results are passage ids per channel, best first."""

    def build(self, ids: list[str], corpus: dict[str, list[str]], folder: Path) -> None: ...

    def search(self, query: str, tokens: Tokens, k: int) -> dict[str, list[str]]: ...

    def replace(self, gone: set[str], ids: list[str], texts: list[str]) -> bool:
        """Whether it could: False for an engine without updates of its own."""


def law_passages(documents: int | None) -> tuple[list[str], list[str]]:
    """(ids, texts) of the law corpus's passages (of its first `documents` files, or all), chunked
    and headed as an ingest does."""
    ids: list[str] = []
    texts: list[str] = []
    sources, _ = discover([LAWS])
    for source in sources[:documents]:
        try:
            doc = read_document(source, "")
            passages = document_passages(doc, 0)
        except Exception:  # the ingest refuses these files too, with a line each
            continue
        for p in passages:
            plain = p.item.plain_words if p.item else ""
            md = {"title": doc.meta.title, "section": "\x1f".join(p.section), "item_plain": plain}
            ids.append(p.id)
            texts.append(lexical_text(p.text, md))
    return ids, texts


def questions() -> tuple[list[str], list[dict[str, Any]]]:
    """The questions asked, and the STARD ones among them (last) with their gold articles."""
    dev = [json.loads(line)["question"] for path in DEV_SETS for line in path.open(encoding="utf-8")]
    stard = [json.loads(line) for line in STARD.open(encoding="utf-8")][:STARD_QUESTIONS]
    return dev[:DEV_QUESTIONS] + [q["question"] for q in stard], stard


def rows_of(ids: Sequence[str], docs: set[str]) -> list[int]:
    """Positions of these documents' passages."""
    return [i for i, pid in enumerate(ids) if document_of(pid) in docs]


class Bm25s:
    """Plain bm25s, one ranker per channel, saved and loaded memory-mapped: the ranking reference."""

    def __init__(self) -> None:
        self.rankers: dict[str, bm25s.BM25] = {}
        self.ids: list[str] = []

    def build(self, ids: list[str], corpus: dict[str, list[str]], folder: Path) -> None:
        for channel, strings in corpus.items():
            ranker = bm25s.BM25()
            ranker.index([s.split() or [""] for s in strings], show_progress=False)
            ranker.save(folder / channel)
            self.rankers[channel] = bm25s.BM25.load(folder / channel, mmap=True, load_vocab=True)
        self.ids = ids

    def search(self, query: str, tokens: Tokens, k: int) -> dict[str, list[str]]:
        out = {}
        for channel, terms in tokens.items():
            scores = np.asarray(self.rankers[channel].get_scores(list(terms))) if terms else np.zeros(1)
            top = np.argsort(-scores, kind="stable")[:k]
            out[channel] = [self.ids[i] for i in top if scores[i] > 0]
        return out

    def replace(self, gone: set[str], ids: list[str], texts: list[str]) -> bool:
        return False


class Lexical:
    """The lexical index as the product runs it: saved, loaded, updated in place and saved again."""

    def __init__(self, tokenizer: ChineseTokenizer) -> None:
        self.tokenizer = tokenizer
        self.folder = Path()
        self.index: LexicalIndex | None = None

    def build(self, ids: list[str], corpus: dict[str, list[str]], folder: Path) -> None:
        self.folder = folder
        documents = dict.fromkeys(map(document_of, ids), "v1")
        with storage.new_folder(folder) as own:
            engine = TantivyIndex.create(own)
            engine.write(list(map(document_of, ids)), range(len(ids)), corpus)  # tokenised once for all
            prior, items = np.zeros(len(ids), dtype=np.float32), np.zeros(0, dtype=np.int64)
            index = LexicalIndex(
                self.tokenizer, engine, ids, prior, items, "v1", documents=documents, folder=own
            )
            storage.save(index, folder)
        self.index = storage.load(folder)

    def search(self, query: str, tokens: Tokens, k: int) -> dict[str, list[str]]:
        assert self.index is not None
        return {c: [pid for pid, _ in hits] for c, hits in self.index.search(query, k).items()}

    def replace(self, gone: set[str], ids: list[str], texts: list[str]) -> bool:
        assert self.index is not None
        documents = {d: "v2" if d in gone else h for d, h in self.index.documents.items()}
        prior = np.zeros(len(ids), dtype=np.float32)
        with storage.new_folder(self.folder) as own:
            self.index = self.index.updated(ids, texts, prior, (), documents, "v2", "", own)
            storage.save(self.index, self.folder)
        return True


class Fts5:
    """SQLite FTS5, one table per channel; a row's rowid is its place in `ids`."""

    def __init__(self, tokenizer: ChineseTokenizer) -> None:
        self.tokenizer = tokenizer
        self.db: sqlite3.Connection | None = None
        self.ids: list[str] = []

    def build(self, ids: list[str], corpus: dict[str, list[str]], folder: Path) -> None:
        folder.mkdir(parents=True)
        self.db = sqlite3.connect(folder / "lexical.sqlite")
        for channel, texts in corpus.items():
            self.db.execute(f"CREATE VIRTUAL TABLE {channel} USING fts5(body, tokenize='ascii')")
            self.db.executemany(f"INSERT INTO {channel}(rowid, body) VALUES (?, ?)", enumerate(texts))
            self.db.execute(f"INSERT INTO {channel}({channel}) VALUES ('optimize')")
        self.db.commit()
        self.ids = list(ids)

    def search(self, query: str, tokens: Tokens, k: int) -> dict[str, list[str]]:
        assert self.db is not None
        out: dict[str, list[str]] = {}
        for channel, terms in tokens.items():
            match = " OR ".join('"{}"'.format(t.replace('"', '""')) for t in terms)
            sql = f"SELECT rowid FROM {channel} WHERE {channel} MATCH ? ORDER BY rank LIMIT ?"
            out[channel] = [self.ids[r] for (r,) in self.db.execute(sql, (match, k))] if terms else []
        return out

    def replace(self, gone: set[str], ids: list[str], texts: list[str]) -> bool:
        assert self.db is not None
        dead = [(r,) for r in rows_of(self.ids, gone)]
        for channel, strings in tokenized(texts, self.tokenizer).items():
            self.db.executemany(f"DELETE FROM {channel} WHERE rowid = ?", dead)
            rows = enumerate(strings, start=len(self.ids))
            self.db.executemany(f"INSERT INTO {channel}(rowid, body) VALUES (?, ?)", rows)
        self.db.commit()
        self.ids += ids
        return True


def size_mb(folder: Path) -> float:
    return round(sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6, 1)


def overlap(ours: dict[str, list[str]], theirs: dict[str, list[str]]) -> dict[str, float]:
    """Per channel, the share of bm25s's top 10 that this engine also puts in its top 10."""
    return {
        c: len(set(theirs[c][:10]) & set(ours[c][:10])) / len(theirs[c][:10]) for c in CHANNELS if theirs[c]
    }


def recall_at_10(
    stard: list[dict[str, Any]], results: list[dict[str, list[str]]], text_of: Mapping[str, str]
) -> dict[str, float]:
    """Per channel, the share of STARD questions with a gold article in the top 10."""
    found = {
        c: [
            first_hit(gold_prefixes(q), [text_of[pid] for pid in r[c][:10]]) is not None
            for q, r in zip(stard, results, strict=True)
        ]
        for c in CHANNELS
    }
    return {c: round(float(np.mean(hits)), 3) for c, hits in found.items()}


def timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def query_times(engines: Mapping[str, Engine], asked: list[tuple[str, Tokens]]) -> dict[str, list[float]]:
    """Milliseconds per question and engine, the engines taking turns on each question, so that
    another process's load on this machine falls on all of them alike."""
    times: dict[str, list[float]] = {name: [] for name in engines}
    for q, tokens in asked:
        for name, engine in engines.items():
            times[name].append(1000 * timed(partial(engine.search, q, tokens, CHANNEL_DEPTH)))
    return times


def compare(
    engines: Mapping[str, Engine],
    ids: list[str],
    texts: list[str],
    corpus: dict[str, list[str]],
    tokenizer: ChineseTokenizer,
    work: Path,
) -> dict[str, dict[str, Any]]:
    """Each engine's figures: built, asked every question twice (a warm-up pass, whose results are
    compared with bm25s's, and a timed one), then updated round by round and asked for the edit."""
    asked, stard = questions()
    tokens = [dict(zip(CHANNELS, tokenizer.query_tokens(q), strict=True)) for q in asked]
    probe = dict(zip(CHANNELS, tokenizer.query_tokens(EDIT), strict=True))
    text_of = dict(zip(ids, texts, strict=True))
    edits = replacements(ids, texts)
    edited = {
        pid for _, new_ids, new_texts in edits for pid, t in zip(new_ids, new_texts, strict=True) if EDIT in t
    }
    built = {name: timed(partial(e.build, ids, corpus, work / name)) for name, e in engines.items()}
    results = {
        name: [e.search(q, t, CHANNEL_DEPTH) for q, t in zip(asked, tokens, strict=True)]
        for name, e in engines.items()
    }
    times = query_times(engines, list(zip(asked, tokens, strict=True)))
    figures = {}
    for name, engine in engines.items():
        shares = [overlap(mine, theirs) for mine, theirs in zip(results[name], results["bm25s"], strict=True)]
        rounds = [updated(engine, edit) for edit in edits]
        p50, p95 = np.percentile(times[name], [50, 95])
        figures[name] = {
            "build_s": round(built[name], 1),
            "query_p50_ms": round(float(p50), 1),
            "query_p95_ms": round(float(p95), 1),
            "update_s": round(float(np.median(rounds)), 2) if None not in rounds else None,
            "update_rounds_s": [r and round(r, 2) for r in rounds],
            "edit_found": set(engine.search(EDIT, probe, 1)[WORDS]) <= edited if None not in rounds else None,
            "top10_overlap": {
                c: round(float(np.mean([s[c] for s in shares if c in s])), 3) for c in CHANNELS
            },
            "stard_recall_at_10": recall_at_10(stard, results[name][-len(stard) :], text_of),
            "size_mb": size_mb(work / name),
        }
        print(name, json.dumps(figures[name], ensure_ascii=False), flush=True)
    return figures


def updated(engine: Engine, edit: tuple[set[str], list[str], list[str]]) -> float | None:
    """Seconds one round of replacements takes; None for an engine without updates."""
    started = time.perf_counter()
    return time.perf_counter() - started if engine.replace(*edit) else None


def replacements(ids: list[str], texts: list[str]) -> list[tuple[set[str], list[str], list[str]]]:
    """ROUNDS times REPLACED documents spread over the corpus, each with EDIT added to its last passage."""
    documents = sorted(set(map(document_of, ids)))
    picked = [
        documents[len(documents) * (n + 1) // (ROUNDS * REPLACED + 1)] for n in range(ROUNDS * REPLACED)
    ]
    edits = []
    for start in range(0, len(picked), REPLACED):
        gone = set(picked[start : start + REPLACED])
        rows = rows_of(ids, gone)
        last = {max(r for r in rows if document_of(ids[r]) == doc) for doc in gone}
        edits.append((gone, [ids[r] for r in rows], [texts[r] + (EDIT if r in last else "") for r in rows]))
    return edits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=ROOT / "data" / "bench-lexical-engines")
    parser.add_argument(
        "--documents", type=int, default=None, help="only the first N law files (a quick check)"
    )
    args = parser.parse_args()
    if not (LAWS.is_dir() and STARD.is_file() and all(p.is_file() for p in DEV_SETS)):
        print(
            f"law corpus or questions not found under {SHARED}: they live in ../shared, not in a user's clone."
        )
        return
    shutil.rmtree(args.work, ignore_errors=True)
    ids, texts = law_passages(args.documents)
    tokenizer = ChineseTokenizer(sorted(read_term_file(POLICY_TERMS) | harvest_terms(texts)))
    started = time.perf_counter()
    corpus = tokenized(texts, tokenizer)
    tokenise_s = time.perf_counter() - started
    engines: dict[str, Engine] = {
        "bm25s": Bm25s(),
        "sqlite_fts5": Fts5(tokenizer),
        "tantivy": Lexical(tokenizer),
    }
    versions = {"bm25s": bm25s.__version__, "sqlite": sqlite3.sqlite_version, "tantivy": tantivy.__version__}
    figures: dict[str, Any] = {
        "passages": len(ids),
        "documents": len(set(map(document_of, ids))),
        "characters": sum(map(len, texts)),
        "questions": DEV_QUESTIONS + STARD_QUESTIONS,
        "depth": CHANNEL_DEPTH,
        "replaced": f"{REPLACED} documents a round, {ROUNDS} rounds",
        "tokenise_s": round(tokenise_s, 1),
        "versions": versions,
    }
    figures["engines"] = compare(engines, ids, texts, corpus, tokenizer, args.work)
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    print(f"written to {write_result('lexical_engines.json', figures)}")
    shutil.rmtree(args.work, ignore_errors=True)


if __name__ == "__main__":
    main()
