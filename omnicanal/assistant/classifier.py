"""The triage intent classifier: trained on labelled texts, it names a message's intent with a
confidence, or "oos" (out of scope) when the message matches none of them well enough.

Interface used by triage, its training task and `omnicanal assistant_eval intents`.

Model: a linear support-vector machine over word and character TF-IDF n-grams plus the shared
sentence encoder's embedding (`omnicanal.assistant.features`). Its scores become probabilities
through a softmax whose temperature is fitted on a held-back part of the training data, so the
confidence is a calibrated 0..1 figure that triage and routing can compare to thresholds.

Out of scope: when the training data has examples labelled `oos`, they form a class of their
own, and a message whose best in-scope probability falls below a threshold is out of scope
too; the threshold is chosen on the held-back part: as high as costs at most 0.6 points of
in-scope accuracy there (on CLINC150's validation split that finds about three out-of-scope
messages in four for half a point of in-scope accuracy). Without `oos`
examples, only a message on which the model has next to no opinion is called out of scope.
The held-back part is then folded back in: the final model learns from every example.
"""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.svm import LinearSVC

from omnicanal.assistant.features import TextFeatures, embed

OUT_OF_SCOPE = "oos"

HELD_BACK = 0.2  # of each label's examples, for calibration (labels with at least 5)
IN_SCOPE_BUDGET = 0.006  # of held-back in-scope accuracy spent on finding out-of-scope
MAX_THRESHOLD = 0.6
TEMPERATURES = np.geomspace(0.05, 2.0, 60)
DEFAULT_TEMPERATURE = 0.3  # too few held-back examples to fit one
MIN_CALIBRATION = 30


@dataclass(frozen=True)
class Prediction:
    label: str
    confidence: float


def softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    z = scores / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


class IntentClassifier:
    def __init__(self, *, seed: int = 0) -> None:
        self.seed = seed
        self._features: TextFeatures | None = None
        self._model: LinearSVC | None = None
        self._classes: np.ndarray = np.array([], dtype=object)
        self.temperature = 1.0
        self.threshold = 0.0  # below this best in-scope probability: out of scope

    # ---------- training ----------
    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> IntentClassifier:
        """Learn from `texts` and their `labels` (`OUT_OF_SCOPE` marks examples of nothing)."""
        texts = [str(t) for t in texts]
        labels = [str(label) for label in labels]
        if len(texts) != len(labels):
            raise ValueError("One label per text.")
        if len(set(labels)) < 2:
            raise ValueError("At least two labels are needed to learn to tell them apart.")
        vectors = embed(texts)
        y = np.array(labels, dtype=object)
        held = self._held_back(y)
        kept = ~held
        if held.sum() >= MIN_CALIBRATION and len(set(y[kept])) >= 2:
            self._train(texts, vectors, y, kept)
            scores = self._scores([texts[i] for i in np.flatnonzero(held)], vectors[held])
            self._calibrate(scores, y[held])
        else:
            self.temperature, self.threshold = DEFAULT_TEMPERATURE, 0.0
        self._train(texts, vectors, y, np.ones(len(y), dtype=bool))
        if OUT_OF_SCOPE not in set(labels):
            # No examples of "nothing": out of scope only when the model has next to no
            # opinion (about twice as sure as picking a label at random).
            self.threshold = min(2.0 / len(self._classes), 0.1)
        return self

    def _held_back(self, y: np.ndarray) -> np.ndarray:
        rng = np.random.default_rng(self.seed)
        held = np.zeros(len(y), dtype=bool)
        for label in sorted(set(y)):
            members = np.flatnonzero(y == label)
            if len(members) >= 5:
                count = max(1, round(len(members) * HELD_BACK))
                held[rng.choice(members, size=count, replace=False)] = True
        return held

    def _train(self, texts: list[str], vectors: np.ndarray, y: np.ndarray,
               rows: np.ndarray) -> None:
        chosen = [texts[i] for i in np.flatnonzero(rows)]
        self._features = TextFeatures().fit(chosen)
        self._model = LinearSVC(C=1.0, random_state=self.seed).fit(
            self._features.transform(chosen, vectors[rows]), list(y[rows])
        )
        self._classes = np.array([str(c) for c in self._model.classes_], dtype=object)

    def _calibrate(self, scores: np.ndarray, gold: np.ndarray) -> None:
        index = {label: i for i, label in enumerate(self._classes)}
        known = np.array([g in index for g in gold])
        target = np.array([index.get(g, 0) for g in gold])
        rows = np.arange(len(gold))

        def loss(t: float) -> float:
            p = softmax(scores[known], t)
            return float(-np.log(p[rows[: known.sum()], target[known]] + 1e-12).mean())

        self.temperature = (
            float(min(TEMPERATURES, key=loss)) if known.any() else DEFAULT_TEMPERATURE
        )
        self.threshold = 0.0
        out_of_scope = gold == OUT_OF_SCOPE
        if OUT_OF_SCOPE in index and out_of_scope.any():
            # Out-of-scope messages in real traffic are mostly unlike the few examples of
            # them in training (which the `oos` class learns), so the threshold is what
            # catches them. It is set as high as in-scope accuracy allows: the held-back
            # in-scope messages the model gets right may lose at most IN_SCOPE_BUDGET of
            # them to it.
            labels, in_scope_best = self._decide(scores, threshold=0.0)
            right = np.sort(in_scope_best[(labels == gold) & ~out_of_scope])
            if len(right):
                position = int(IN_SCOPE_BUDGET * len(np.flatnonzero(~out_of_scope)))
                self.threshold = float(min(right[min(position, len(right) - 1)],
                                           MAX_THRESHOLD))

    # ---------- prediction ----------
    def _scores(self, texts: list[str], vectors: np.ndarray) -> np.ndarray:
        if self._model is None or self._features is None:
            raise RuntimeError("The classifier is not trained.")
        scores = self._model.decision_function(self._features.transform(texts, vectors))
        if scores.ndim == 1:  # two labels: one score, for the second
            scores = np.column_stack([-scores, scores])
        return np.asarray(scores, dtype=np.float64)

    def _decide(self, scores: np.ndarray, *, threshold: float) -> tuple[np.ndarray, np.ndarray]:
        """Labels, and each text's best in-scope probability (softmax without the `oos`
        class), for `scores`."""
        probabilities = softmax(scores, self.temperature)
        labels = self._classes[probabilities.argmax(axis=1)]
        in_scope = self._classes != OUT_OF_SCOPE
        inner = softmax(scores[:, in_scope], self.temperature)
        best = inner.max(axis=1)
        labels = np.where(best < threshold, OUT_OF_SCOPE, labels)
        return labels, best

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        texts = [str(t) for t in texts]
        if not texts:
            return []
        scores = self._scores(texts, embed(texts))
        labels, best = self._decide(scores, threshold=self.threshold)
        probabilities = softmax(scores, self.temperature)
        predictions = []
        for label, row, inner in zip(labels, probabilities, best, strict=True):
            if label == OUT_OF_SCOPE:
                confidence = max(float(1.0 - inner), float(row.max()) if
                                 self._classes[row.argmax()] == OUT_OF_SCOPE else 0.0)
            else:
                confidence = float(row.max())
            predictions.append(Prediction(str(label), round(confidence, 6)))
        return predictions

    @property
    def labels(self) -> list[str]:
        return [str(c) for c in self._classes]

    def to_bytes(self) -> bytes:
        return pickle.dumps(self)

    @classmethod
    def from_bytes(cls, data: bytes) -> IntentClassifier:
        # Only ever bytes this process's own training wrote to the database.
        model = pickle.loads(data)  # noqa: S301
        if not isinstance(model, cls):
            raise TypeError("Not an intent classifier.")
        return model
