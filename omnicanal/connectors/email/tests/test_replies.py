from __future__ import annotations

import time

import pytest

from omnicanal.connectors.email.replies import parse_body
from omnicanal.connectors.email.tests.corpus import FIXTURES, talon_cases, zapier_cases


def test_it_trims_at_least_95_percent_of_the_zapier_and_talon_replies_as_expected() -> None:
    cases = list(zapier_cases()) + list(talon_cases())
    failed = [case.name for case in cases if not case.passed]
    rate = 1 - len(failed) / len(cases)
    assert len(cases) >= 45
    assert rate >= 0.95, f"{rate:.1%}; failed: {failed}"


def test_it_parses_the_pathological_reply_in_well_under_a_second() -> None:
    text = FIXTURES / "reply_trimming" / "zapier" / "test" / "emails" / "pathological.txt"
    started = time.perf_counter()
    parse_body(text.read_text(), is_html=False)
    assert time.perf_counter() - started < 1


def test_it_stays_linear_on_a_very_long_quote() -> None:
    text = (
        "Short answer.\n\nOn Mon, 1 Jan 2024 at 10:00, A <a@example.com> wrote:\n"
        + ("> " + "quoted words " * 8 + "\n") * 8000
    )
    started = time.perf_counter()
    body = parse_body(text, is_html=False)
    assert time.perf_counter() - started < 2
    assert body.reply_text == "Short answer."


def test_it_keeps_only_the_answer_above_a_quote() -> None:
    body = parse_body(
        "Yes, Tuesday works.\n\nOn Mon, Mar 4, 2024 at 9:12 AM Ann <ann@example.com> wrote:\n"
        "> Does Tuesday work?\n",
        is_html=False,
    )
    assert body.reply_text == "Yes, Tuesday works."
    assert body.has_quote


def test_it_keeps_an_answer_interleaved_with_quotes_whole() -> None:
    text = (
        "On Mon, Mar 4, 2024 at 9:12 AM Ann <ann@example.com> wrote:\n"
        "> Which plan are you on?\n\nThe Pro plan.\n\n> And since when?\n\nSince May.\n\n"
        "> Thanks\n"
    )
    body = parse_body(text, is_html=False)
    assert body.reply_text.startswith("On Mon, Mar 4")
    assert "The Pro plan." in body.reply_text
    assert body.reply_text.endswith("Since May.")
    assert "> Thanks" not in body.reply_text


def test_it_gives_an_empty_reply_for_a_mail_that_only_quotes() -> None:
    body = parse_body("On Mon, 4 Mar 2024, Ann wrote:\n> Hello\n> there\n", is_html=False)
    assert body.reply_text == ""


def test_it_keeps_forwarded_content() -> None:
    text = (
        "See below.\n\n---------- Forwarded message ---------\nFrom: Bob <bob@example.com>\n"
        "Date: Mon, 4 Mar 2024\nSubject: Invoice\nTo: ann@example.com\n\nThe invoice is wrong.\n"
    )
    body = parse_body(text, is_html=False)
    assert "The invoice is wrong." in body.reply_text
    assert "Forwarded message" in body.reply_text


def test_it_cuts_an_outlook_header_block_and_everything_under_it() -> None:
    text = (
        "Done, thanks.\n\nFrom: Support <help@example.com>\nSent: Monday, March 4, 2024 9:00\n"
        "To: Ann\nSubject: Your ticket\n\nPlease confirm.\n"
    )
    assert parse_body(text, is_html=False).reply_text == "Done, thanks."


def test_it_cuts_a_localised_attribution_line() -> None:
    text = "Merci !\n\nLe lun. 4 mars 2024 à 09:12, Ann <ann@example.com> a écrit :\n> Bonjour\n"
    assert parse_body(text, is_html=False).reply_text == "Merci !"


def test_it_moves_the_signature_out_of_the_reply() -> None:
    body = parse_body("It works now.\n\n-- \nAnn Smith\nACME support\n", is_html=False)
    assert body.reply_text == "It works now."
    assert body.signature == "--\nAnn Smith\nACME support"


def test_it_treats_a_sent_from_my_phone_line_as_signature() -> None:
    body = parse_body("Here you go\n\nSent from my iPhone", is_html=False)
    assert body.reply_text == "Here you go"
    assert body.signature == "Sent from my iPhone"


def test_it_does_not_take_a_sentence_starting_with_sent_from_for_a_signature() -> None:
    text = "Here is another email\n\nSent from my desk, is much easier then my mobile phone."
    assert parse_body(text, is_html=False).reply_text == text


def test_it_recognises_a_sign_off_with_the_senders_name_as_signature() -> None:
    body = parse_body("Sure.\n\nThanks,\nNoam", is_html=False, sender="Noam")
    assert body.reply_text == "Sure."
    assert body.signature == "Thanks,\nNoam"


def test_it_keeps_a_sign_off_when_the_sender_is_unknown() -> None:
    assert (
        parse_body("Sure.\n\nThanks,\nNoam", is_html=False).reply_text == "Sure.\n\nThanks,\nNoam"
    )


def test_it_returns_plain_text_for_an_html_reply() -> None:
    html = (
        "<div>Fine, <b>thanks</b>.</div><div class=gmail_quote>On Mon, Mar 4, 2024 at 9:12 AM"
        " Ann &lt;ann@example.com&gt; wrote:<blockquote>How are you?</blockquote></div>"
    )
    body = parse_body(html, is_html=True)
    assert body.reply_text == "Fine, thanks."
    assert "<div" not in body.text
    assert "> How are you?" in body.text


def test_it_cuts_an_html_reply_at_an_outlook_separator_followed_by_headers() -> None:
    html = (
        "<p>Approved.</p><div style='border:none;border-top:solid #E1E1E1 1.0pt'>"
        "<p><b>From:</b> Ann<br><b>Sent:</b> Monday<br><b>To:</b> Bob</p></div><p>Old text</p>"
    )
    assert parse_body(html, is_html=True).reply_text == "Approved."


def test_it_does_not_treat_a_markdown_underline_as_a_signature() -> None:
    text = "Steps\n-----\n1. Restart\n2. Retry"
    assert parse_body(text, is_html=False).reply_text == text


MULTILANG = FIXTURES / "reply_trimming" / "multilang" / "test" / "emails"


@pytest.mark.parametrize(
    ("name", "reply"),
    [
        ("email_danish_4.txt", "Hej,\n\nSvar."),
        ("email_nl_1_2.txt", "Outlook met een antwoord"),
        ("email_ja_1_2.txt", None),
        ("email_sv_anon_1.txt", None),
    ],
)
def test_it_trims_replies_written_in_other_languages(name: str, reply: str | None) -> None:
    body = parse_body((MULTILANG / name).read_text(), is_html=False)
    if reply is not None:
        assert body.reply_text == reply
    assert body.reply_text
    assert ">" not in body.reply_text
    assert not body.reply_text.rstrip().endswith(":")


def test_a_header_block_with_nothing_written_above_it_is_kept_as_content() -> None:
    text = (MULTILANG / "email_pl_1_1.txt").read_text()
    assert "Jak się masz?" in parse_body(text, is_html=False).reply_text
