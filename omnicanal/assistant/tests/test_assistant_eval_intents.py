"""`omnicanal assistant_eval intents`: the contract's flags, file layouts, fields and null
rules, on small samples of Banking77 (CSV) and CLINC150 (JSON) kept in fixtures/."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from omnicanal.assistant.evaluation import score

FIXTURES = Path(__file__).resolve().parent / "fixtures"
BANKING_TRAIN = FIXTURES / "banking77_sample_train.csv"
BANKING_TEST = FIXTURES / "banking77_sample_test.csv"
CLINC = FIXTURES / "clinc150_sample.json"
FIELDS = {"accuracy", "in_scope_accuracy", "macro_f1", "oos_recall", "oos_precision",
          "n_test", "seconds"}


def run(*args: str) -> dict[str, object]:
    out = StringIO()
    call_command("assistant_eval", "intents", *args, "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert set(result) == FIELDS
    return result


def test_banking77_csv_gives_accuracy_and_no_out_of_scope_figures() -> None:
    result = run("--train", str(BANKING_TRAIN), "--test", str(BANKING_TEST))
    assert result["n_test"] == 20
    assert result["accuracy"] == result["in_scope_accuracy"]
    assert isinstance(result["accuracy"], float) and result["accuracy"] >= 0.8
    assert isinstance(result["macro_f1"], float) and 0.0 < result["macro_f1"] <= 1.0
    assert result["oos_recall"] is None
    assert result["oos_precision"] is None
    assert isinstance(result["seconds"], float) and result["seconds"] > 0


def test_clinc150_json_reads_the_split_and_its_out_of_scope_part() -> None:
    test = run("--train", str(CLINC), "--test", str(CLINC))
    assert test["n_test"] == 5 * 4 + 5
    assert isinstance(test["oos_recall"], float)
    assert isinstance(test["in_scope_accuracy"], float) and test["in_scope_accuracy"] >= 0.8
    assert test["oos_precision"] is None or 0.0 <= test["oos_precision"] <= 1.0

    val = run("--train", str(CLINC), "--test", str(CLINC), "--split", "val")
    assert val["n_test"] == 5 * 2 + 3


def test_same_files_same_figures() -> None:
    first = run("--train", str(CLINC), "--test", str(CLINC))
    second = run("--train", str(CLINC), "--test", str(CLINC))
    first.pop("seconds")
    second.pop("seconds")
    assert first == second


def test_a_missing_split_or_file_is_an_error() -> None:
    with pytest.raises((CommandError, ValueError)):
        run("--train", str(CLINC), "--test", str(CLINC), "--split", "nothing")
    with pytest.raises(CommandError):
        run("--train", str(FIXTURES / "absent.csv"), "--test", str(BANKING_TEST))


def test_null_rules_of_the_figures() -> None:
    # Neither file has out-of-scope data: both oos figures are null.
    plain = score(["a", "b"], ["a", "a"], with_oos=False)
    assert plain["oos_recall"] is None and plain["oos_precision"] is None
    assert plain["accuracy"] == 0.5 and plain["in_scope_accuracy"] == 0.5
    # Out-of-scope data, but nothing predicted out of scope: precision null, recall 0.
    missed = score(["a", "oos"], ["a", "a"], with_oos=True)
    assert missed["oos_recall"] == 0.0 and missed["oos_precision"] is None
    # Predicting oos for an out-of-scope item is right and counts in accuracy.
    found = score(["a", "oos", "b"], ["oos", "oos", "b"], with_oos=True)
    assert found["accuracy"] == pytest.approx(2 / 3)
    assert found["in_scope_accuracy"] == 0.5
    assert found["oos_recall"] == 1.0 and found["oos_precision"] == 0.5
    assert found["macro_f1"] == pytest.approx(0.5)  # a: 0, b: 1
    assert found["n_test"] == 3


def test_runs_from_any_directory_and_prints_one_json_object(tmp_path: Path) -> None:
    environment = dict(os.environ)
    root = str(Path(__file__).resolve().parents[3])
    environment["PYTHONPATH"] = os.pathsep.join(
        p for p in (root, environment.get("PYTHONPATH", "")) if p)
    completed = subprocess.run(
        [sys.executable, "-m", "omnicanal.manage", "assistant_eval", "intents",
         "--train", str(BANKING_TRAIN), "--test", str(BANKING_TEST), "--json"],
        cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=600, check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert set(json.loads(completed.stdout)) == FIELDS
    assert list(tmp_path.iterdir()) == []
