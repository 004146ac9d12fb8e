"""What the intent classifier sees of a text: its words, its letters and its meaning.

Three views side by side in one sparse matrix: TF-IDF over word 1-2-grams, TF-IDF over
character 2-5-grams inside word boundaries (spelling variants, French inflections, typos), and
the sentence embedding of the shared encoder (`omnicanal.core.embeddings`), weighted so that
meaning counts as much as the surface words.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

EMBEDDING_WEIGHT = 2.0


def embed(texts: Sequence[str]) -> np.ndarray:
    """The shared encoder's L2-normalised vectors of `texts` (one row each)."""
    from omnicanal.core.embeddings import encode

    return encode(list(texts))


class TextFeatures:
    def __init__(self) -> None:
        self.words = TfidfVectorizer(
            ngram_range=(1, 2), sublinear_tf=True, lowercase=True, dtype=np.float32
        )
        self.letters = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, lowercase=True,
            dtype=np.float32,
        )

    def fit(self, texts: Sequence[str]) -> TextFeatures:
        self.words.fit(texts)
        self.letters.fit(texts)
        return self

    def transform(self, texts: Sequence[str], vectors: np.ndarray) -> sp.csr_matrix:
        """The features of `texts`, whose encoder `vectors` the caller computed (once)."""
        return sp.hstack([
            self.words.transform(texts),
            self.letters.transform(texts),
            sp.csr_matrix(vectors.astype(np.float32) * EMBEDDING_WEIGHT),
        ]).tocsr()
