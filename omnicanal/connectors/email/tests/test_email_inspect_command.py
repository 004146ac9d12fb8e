from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

from django.core.management import call_command

from omnicanal.connectors.email.inspection import KEYS
from omnicanal.connectors.email.tests.corpus import FLANKER, sisimai_path


def _run(*args: str) -> list[dict[str, object]]:
    out = StringIO()
    call_command("email_inspect", *args, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_it_prints_one_json_object_per_file_with_exactly_the_contract_keys() -> None:
    files = [str(FLANKER / "bounce" / "zed.eml"), str(sisimai_path("rfc3834-01.eml"))]
    lines = _run(*files)
    assert [line["file"] for line in lines] == files
    for line in lines:
        assert tuple(line) == KEYS
        assert line["error"] is None


def test_it_reports_a_bounce_with_recipient_status_and_reason() -> None:
    (line,) = _run(str(FLANKER / "bounce" / "zed.eml"))
    assert line["is_bounce"] is True
    (bounce,) = line["bounce"]  # type: ignore[misc]
    assert set(bounce) == {"recipient", "status", "action", "reason", "hard"}
    assert bounce["status"] == "5.1.1"
    assert bounce["reason"] == "userunknown"
    assert bounce["hard"] is True


def test_a_missing_file_gets_an_error_line_and_the_others_are_still_inspected(
    tmp_path: Path,
) -> None:
    missing = str(tmp_path / "nope.eml")
    present = str(sisimai_path("rfc3834-01.eml"))
    first, second = _run(missing, present)
    assert first["file"] == missing
    assert first["error"]
    assert tuple(first) == KEYS
    assert second["error"] is None
    assert second["is_auto_reply"] is True
    assert second["is_bounce"] is False


def test_it_reads_a_bare_text_body_with_text(tmp_path: Path) -> None:
    body = tmp_path / "body.txt"
    body.write_text("Works now.\n\nSent from my iPhone\n\nOn Mon, 4 Mar 2024, Ann wrote:\n> hi\n")
    (line,) = _run("--text", str(body))
    assert line["reply_text"] == "Works now."
    assert line["signature"] == "Sent from my iPhone"
    assert line["from"] is None and line["to"] == [] and line["message_id"] is None
    assert line["html"] == ""


def test_it_reads_a_bare_html_body_with_html(tmp_path: Path) -> None:
    body = tmp_path / "body.html"
    body.write_text("<p>Yes &amp; thanks</p><blockquote>old question</blockquote>")
    (line,) = _run("--html", str(body))
    assert line["reply_text"] == "Yes & thanks"
    assert "<p>" in str(line["html"])
    assert line["subject"] is None


def test_the_json_has_bare_lower_case_addresses() -> None:
    (line,) = _run(str(FLANKER / "bounce" / "zed.eml"))
    assert isinstance(line["from"], str) and "<" not in line["from"]
    assert all("<" not in address for address in line["to"])  # type: ignore[attr-defined]


def test_the_added_report_key_carries_a_bounce_s_recipients_with_their_diagnostic() -> None:
    (line,) = _run(str(FLANKER / "bounce" / "zed.eml"))
    report = line["report"]
    assert isinstance(report, dict) and report["kind"] == "bounce"
    (recipient,) = report["recipients"]
    assert recipient["status"] == "5.1.1" and recipient["reason"] == "userunknown"
    assert recipient["diagnostic"]


def test_a_mail_that_is_no_report_has_a_null_report() -> None:
    (line,) = _run(str(sisimai_path("../not/is-not-bounce-01.eml")))
    assert line["report"] is None
