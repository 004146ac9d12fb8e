"""`omnicanal assistant_eval faq` as the acceptance checks run it: from another directory, on
a StackFAQ sample (tests/fixtures/stackfaq_sample, see its README), one JSON object with the
contract's fields, the same figures twice, and nothing written to the database."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from omnicanal.knowledge.models import Article, KnowledgeChunk

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).parent / "fixtures" / "stackfaq_sample"


def run_eval(directory: Path) -> dict[str, float]:
    out = StringIO()
    call_command("assistant_eval", "faq", "--corpus", str(SAMPLE / "corpus.jsonl"),
                 "--queries", str(SAMPLE / "queries.jsonl"), "--qrels", str(SAMPLE / "qrels.tsv"),
                 "--json", stdout=out)
    result: dict[str, float] = json.loads(out.getvalue())
    return result


def test_faq_eval_answers_with_the_products_retrieval(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    first = run_eval(tmp_path)
    assert set(first) == {"hit_at_1", "hit_at_5", "mrr_at_10", "ndcg_at_10", "n_queries",
                          "seconds"}
    # The query without judgements is left out.
    assert first["n_queries"] == 28
    assert first["hit_at_1"] >= 0.8 and first["hit_at_5"] >= 0.95
    assert first["hit_at_1"] <= first["mrr_at_10"] <= 1
    second = run_eval(tmp_path)
    assert {k: v for k, v in first.items() if k != "seconds"} == {
        k: v for k, v in second.items() if k != "seconds"}
    assert not Article.objects.exists() and not KnowledgeChunk.objects.exists()
