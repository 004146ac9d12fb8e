"""An administrator's ONNX sentence encoder plugged in through ASSISTANT_ENCODER_ONNX: loaded
instead of the bundled one and used by retrieval. The model here is a tiny one made for the
test (fixtures/tiny_onnx: a word-embedding table as one Gather node, and a word-level
tokenizer): same files and code path as a real export. Skipped when the optional `onnx`
extra is not installed; a real model can be tried with ONNX_TEST_MODEL=/path/model.onnx."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("onnxruntime")
pytest.importorskip("tokenizers")

from omnicanal.core import embeddings
from omnicanal.core.onnx_encoder import OnnxEncoder

TINY = Path(__file__).parent / "fixtures" / "tiny_onnx" / "model.onnx"


def test_the_onnx_encoder_mean_pools_and_normalises() -> None:
    encoder = OnnxEncoder(TINY)
    vectors = encoder.encode(["how do I get my money back", "refund", "reset my password"])
    assert vectors.shape == (3, encoder.dimensions) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    # Padding does not count: a text alone or in a batch with a longer one is the same.
    alone = encoder.encode(["refund"])[0]
    assert np.allclose(alone, vectors[1], atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
    assert encoder.encode([]).shape == (0, encoder.dimensions)


def test_the_setting_swaps_the_encoder(settings: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embeddings, "_encoder", None)
    monkeypatch.setattr(settings, "ASSISTANT_ENCODER_ONNX", str(TINY), raising=False)
    encoder = embeddings.get_encoder()
    assert isinstance(encoder, OnnxEncoder) and encoder.name.startswith("onnx-model-")
    assert embeddings.encode(["parcel late"]).shape == (1, encoder.dimensions)
    monkeypatch.setattr(embeddings, "_encoder", None)


@pytest.mark.skipif(not os.environ.get("ONNX_TEST_MODEL"), reason="no ONNX model file given")
def test_a_real_onnx_model_encodes_french_and_english() -> None:
    encoder = OnnxEncoder(os.environ["ONNX_TEST_MODEL"])
    vectors = encoder.encode(["Où est mon colis ?", "Where is my parcel?", "Reset my password"])
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
