"""A sentence-embedding model exported to ONNX, for an administrator who wants a larger
encoder than the bundled multilingual USE: `ASSISTANT_ENCODER_ONNX=/path/model.onnx` with the
model's `tokenizer.json` (Hugging Face `tokenizers` format) beside it.

The token vectors the model outputs are mean-pooled over the attention mask (a model whose
first output is already one vector per text is used as is), then L2-normalised. Needs the
optional dependencies `onnxruntime` and `tokenizers` (`pip install omnicanal[onnx]`); nothing
is downloaded. Changing the encoder changes `name`: run `omnicanal reindex_knowledge`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np

from omnicanal.core.embeddings import normalise

BATCH = 32
MAX_TOKENS = 256


class OnnxEncoder:
    def __init__(self, path: str | Path, *, threads: int = 2, max_tokens: int = MAX_TOKENS,
                 tokenizer: str | Path | None = None) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        model = Path(path)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        self._session = onnxruntime.InferenceSession(
            str(model), options, providers=["CPUExecutionProvider"]
        )
        self._inputs = {given.name for given in self._session.get_inputs()}
        self._tokenizer: Any = Tokenizer.from_file(
            str(tokenizer or model.with_name("tokenizer.json"))
        )
        self._tokenizer.enable_truncation(max_length=max_tokens)
        self._tokenizer.enable_padding()
        digest = hashlib.sha256(model.read_bytes()).hexdigest()[:12]
        self.name = f"onnx-{model.stem}-{digest}"[:80]
        self.dimensions = int(self._run(["dimensions"]).shape[1])

    def _run(self, texts: list[str]) -> np.ndarray:
        encoded = self._tokenizer.encode_batch(texts)
        ids = np.array([item.ids for item in encoded], dtype=np.int64)
        mask = np.array([item.attention_mask for item in encoded], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": mask,
                "token_type_ids": np.zeros_like(ids)}
        output = np.asarray(self._session.run(
            None, {name: value for name, value in feed.items() if name in self._inputs}
        )[0], dtype=np.float32)
        if output.ndim == 3:
            weights = mask[:, :, None].astype(np.float32)
            output = (output * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        return output

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        parts = [self._run(list(texts[start:start + BATCH]))
                 for start in range(0, len(texts), BATCH)]
        return normalise(np.concatenate(parts)).astype(np.float32)
