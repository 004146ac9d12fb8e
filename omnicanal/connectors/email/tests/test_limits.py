"""MIME limits on the raw bytes, before the stdlib parser recurses into them."""

from __future__ import annotations

from omnicanal.connectors.email.limits import readable_part

HEAD = b"From: a@example.fr\r\nSubject: s\r\nMIME-Version: 1.0\r\n"


def test_a_plain_mail_is_read_whole() -> None:
    raw = HEAD + b"\r\nBonjour, boundary=\"x\" est un mot.\r\n"

    assert readable_part(raw, max_depth=2, max_parts=2).raw == raw


def test_a_boundary_named_in_a_body_does_not_count_as_nesting() -> None:
    raw = (HEAD + b'Content-Type: multipart/mixed; boundary="A"\r\n\r\n--A\r\n'
           b"Content-Type: text/plain\r\n\r\n" + b'boundary="B"\r\n' * 5 + b"--A--\r\n")

    assert readable_part(raw, max_depth=1, max_parts=5).incomplete == ()


def test_parts_after_the_limit_are_cut_at_their_delimiter() -> None:
    parts = b"".join(b"--A\r\nContent-Type: text/plain\r\n\r\npart %d\r\n" % n for n in range(5))
    raw = HEAD + b'Content-Type: multipart/mixed; boundary="A"\r\n\r\n' + parts + b"--A--\r\n"

    readable = readable_part(raw, max_depth=5, max_parts=3)

    assert b"part 2" in readable.raw and b"part 3" not in readable.raw
    assert "more than 3 MIME parts" in readable.incomplete[0]


def test_attached_messages_count_as_nesting() -> None:
    inner = HEAD + b"\r\nLe message joint.\r\n"
    raw = inner
    for level in range(4):
        boundary = b"M%d" % level
        raw = (HEAD + b'Content-Type: multipart/mixed; boundary="' + boundary + b'"\r\n\r\n--'
               + boundary + b"\r\nContent-Type: message/rfc822\r\n\r\n" + raw + b"\r\n--"
               + boundary + b"--\r\n")

    assert readable_part(raw, max_depth=8, max_parts=50).incomplete == ()
    assert "nested more than 3 levels" in readable_part(raw, max_depth=3,
                                                        max_parts=50).incomplete[0]
