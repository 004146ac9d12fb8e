"""The triage intent classifier: trained on labelled texts, it names a message's intent with a
confidence, or "oos" (out of scope) when the message matches none of them well enough.

Interface used by triage, its training task and `omnicanal assistant_eval intents`. (First
version: TF-IDF and logistic regression; the tuned model replaces the body, same interface.)
"""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from dataclasses import dataclass

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

OUT_OF_SCOPE = "oos"


@dataclass(frozen=True)
class Prediction:
    label: str
    confidence: float


class IntentClassifier:
    def __init__(self, *, seed: int = 0) -> None:
        self.seed = seed
        self._pipeline: Pipeline | None = None

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> IntentClassifier:
        """Learn from `texts` and their `labels` (`OUT_OF_SCOPE` marks examples of nothing)."""
        self._pipeline = Pipeline([
            ("tfidf", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)),
            ("model", LogisticRegression(max_iter=2000, random_state=self.seed)),
        ]).fit(list(texts), list(labels))
        return self

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        if self._pipeline is None:
            raise RuntimeError("The classifier is not trained.")
        probabilities = self._pipeline.predict_proba(list(texts))
        classes = self._pipeline.classes_
        return [
            Prediction(str(classes[row.argmax()]), float(row.max())) for row in probabilities
        ]

    @property
    def labels(self) -> list[str]:
        return [] if self._pipeline is None else [str(c) for c in self._pipeline.classes_]

    def to_bytes(self) -> bytes:
        return pickle.dumps(self)

    @classmethod
    def from_bytes(cls, data: bytes) -> IntentClassifier:
        # Only ever bytes this process's own training wrote to the database.
        model = pickle.loads(data)  # noqa: S301
        if not isinstance(model, cls):
            raise TypeError("Not an intent classifier.")
        return model
