# Non-Latin letters and full-width colons in the patterns below are meant: mail clients write
# attribution lines in Cyrillic, Turkish, Japanese, ... scripts.
# ruff: noqa: RUF001
"""Reply trimming: the new text of a reply, its signature, and what is quoted.

The body is read line by line (never with regexes spanning the whole text, so that long or
pathological bodies stay linear). What the sender wrote is kept; what they quoted goes:
  * lines prefixed with ">" and the attribution line above them ("On ... wrote:");
  * everything after an unprefixed quote: an Outlook "From:/Sent:/To:" block, an
    "-----Original Message-----" line, or an attribution line not followed by ">" lines.
An answer interleaved with quoted lines is kept whole, quotes included, because the answers
only make sense next to what they answer. Forwarded messages are content, never trimmed.
The signature is split off the end of the reply: after "-- ", "Sent from my ...", a footer
rule, a contact block, or a paragraph naming the sender when the sender is known.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from omnicanal.connectors.email.htmltext import SEPARATOR, html_to_text


@dataclass(frozen=True)
class ParsedBody:
    """A body split into what is new and what is not.

    `text` is the whole body as plain text (HTML converted); `reply_text` is the new part
    without signature; `signature` is the sender's signature (or list footer) when found.
    """

    text: str
    reply_text: str
    signature: str
    has_quote: bool


# --- line patterns -----------------------------------------------------------------------

_QUOTED = re.compile(r"^\s*>")
_BLANK = re.compile(r"^\s*$")

_WROTE_END = re.compile(
    r"(?:wrote|writes|schrieb|a\s+écrit|escribió|escribio|ha\s+scritto|schreef|skrev|"
    r"napisał(?:a|\(a\))?|pisze|escreveu|написал(?:а|\(а\))?|пише|kirjoitti|napsal(?:a|\(a\))?|"
    r"yazdı|írta|έγραψε|写道|のメッセージ|작성|님이\s*작성)(?:\s.{0,120}?)?\s*[:：]\s*$",
    re.IGNORECASE,
)
_ATTRIBUTION_START = re.compile(
    r"^\s*(?:-{2,}\s*)?(?:\d|(?:on|am|le|el|il|op|den|d\.|w\s+dniu|em|dne|в|la|"
    r"mon|tue|wed|thu|fri|sat|sun|lun|mar|mer|jeu|ven|sam|dim|mo|di|mi|do|fr|sa|so)\b)",
    re.IGNORECASE,
)
# Russian and other clients write "<date> от <name> <address>:" or "<date>, "Name" <addr>:".
_DATED_ADDRESS_END = re.compile(r"^\s*(?:\d|[a-zа-я]{2,3},?\s+\d).*@.*[>\w]\s*[:：]\s*$", re.I)

_ORIGINAL_MESSAGE = re.compile(
    r"^\s*[-_=*]*\s*(?:original\s+message|ursprüngliche\s+nachricht|message\s+d'origine|"
    r"oorspronkelijk\s+bericht|original\s+meddelelse|messaggio\s+originale|mensaje\s+original|"
    r"opprinnelig\s+melding|alkuperäinen\s+viesti|исходное\s+сообщение|"
    r"wiadomość\s+oryginalna|originalmeddelande|mensagem\s+original|reply\s+message|"
    r"oprindelig\s+meddelelse|ursprungligt\s+meddelande|původní\s+zpráva|eredeti\s+üzenet)"
    r"\s*[-_=*]*\s*$",
    re.IGNORECASE,
)
# "-----Oprindelig meddelelse-----" and the like, in any language.
_FRAMED_TITLE = re.compile(r"^\s*-{3,}\s*\S.{0,40}?\s*-{3,}\s*$")
_FORWARD_MARKER = re.compile(
    r"^\s*(?:[-_=*>]+\s*)?(?:forwarded\s+message|begin\s+forwarded\s+message|"
    r"weitergeleitete\s+nachricht|message\s+transféré|mensaje\s+reenviado|"
    r"messaggio\s+inoltrato|doorgestuurd\s+bericht|videresendt\s+meddelelse|"
    r"vidarebefordrat\s+meddelande|пересылаемое\s+сообщение|forwarded\s+by)\b",
    re.IGNORECASE,
)

_HEADER_KEYS_FROM = (
    r"from|von|de|da|van|fra|från|od|от|mittente|afzender|lähettäjä|発信者|差出人|"
    r"发件人|寄件者|보낸\s*사람"
)
_HEADER_KEYS_OTHER = (
    r"sent|date|to|cc|subject|reply-to|gesendet|datum|an|betreff|envoyé|à|objet|"
    r"inviato|data|a|oggetto|verzonden|aan|onderwerp|sendt|til|emne|skickat|till|ämne|"
    r"wysłano|do|temat|отправлено|дата|кому|тема|enviado|enviada|fecha|para|asunto|assunto|"
    r"lähetetty|vastaanottaja|aihe|送信日時|宛先|件名|日付|发送时间|收件人|主题|時間|"
    r"받는\s*사람|날짜|제목"
)
_HEADER_LINE_FROM = re.compile(rf"^\s*\*?\s*(?:{_HEADER_KEYS_FROM})\s*\*?\s*[:：]", re.I)
_HEADER_LINE_DATE = re.compile(r"^\s*\*?\s*(?:date|datum|fecha|дата|data)\s*\*?\s*[:：]", re.I)
_HEADER_LINE_ANY = re.compile(
    rf"^\s*\*?\s*(?:{_HEADER_KEYS_FROM}|{_HEADER_KEYS_OTHER})\s*\*?\s*[:：]", re.I
)

_RULE = re.compile(r"^\s*(?:-{2,}|_{2,}|={4,}|—{2,}|\*{4,})\s*$")
# "-- " alone, or followed by a short name ("-- Tim"); "-- FOUR $100 gift cards" is a list item.
_SIGNATURE_DASHES = re.compile(r"^\s*(?:--|—|--\s+[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,2})\s*$")
_DASH_NAME = re.compile(r"^\s*[-–—][A-Za-zÀ-ÿ][\w.'-]*(?:\s+[\w.'-]+){0,3}\s*$")
_SENT_FROM = re.compile(
    r"^\s*(?:(?:sent|envoyé|enviado|gesendet|inviato|verzonden|skickat|sendt|wysłane|"
    r"отправлено|lähetetty)\s+(?:from|with|via|using|de(?:sde)?|von|da|vanaf|från|fra|z|"
    r"с|par|com|met)\s+[^,;]{1,60}|"
    r"(?:von|de)\s+mein(?:em)?\s+\S+(?:\s+\S+)?\s+gesendet|get\s+outlook\s+for\s+\S+|"
    r"sent\s+on\s+the\s+go\b.*|sent\s+from\s+\S+\s+mail\s+for\s+\S+.*)\s*$",
    re.IGNORECASE,
)
_FOOTER = re.compile(
    r"^\s*(?:you\s+received\s+this\s+message\s+because\s+you\s+are\s+subscribed|"
    r"to\s+unsubscribe\s+from\s+this\s+group|reply\s+to\s+this\s+email\s+directly\s+or\s+view|"
    r"you\s+are\s+receiving\s+this\s+because\s+you\s+(?:are\s+subscribed|authored|were)|"
    r"[\w.-]+\s+mailing\s+list\s*$)",
    re.IGNORECASE,
)
_MOBILE_LINE = re.compile(r"^\s*(?:via|from)\s+(?:my\s+)?(?:mobile|phone|cell|tablet)\b", re.I)
_CONTACT_LINE = re.compile(
    r"[\w.+-]+@[\w-]+\.[\w.-]+|https?://|www\.|\+?\(?\d[\d ().-]{6,}\d|"
    r"^\s*(?:t|f|m|p|tel|phone|fax|mobile|cell|skype|twitter|linkedin)\s*[.:]",
    re.IGNORECASE,
)
_SIGN_OFF = re.compile(
    r"^\s*(?:thanks?(?:\s+(?:you|again|so\s+much|a\s+lot))?|many\s+thanks|cheers|best|"
    r"(?:best|kind|warm|warmest)\s+(?:regards|wishes)|regards|sincerely|yours(?:\s+truly)?|"
    r"greetings|ciao|merci|cordialement|grüße|gruß|viele\s+grüße|mit\s+freundlichen\s+grüßen|"
    r"saludos|un\s+saludo|atenciamente|atentamente|groeten|met\s+vriendelijke\s+groet|"
    r"hälsningar|mvh|med\s+venlig\s+hilsen|pozdrawiam|с\s+уважением|спасибо)[\s,.!]*$",
    re.IGNORECASE,
)

_MAX_ATTRIBUTION_LINES = 4
_MAX_SIGNATURE_LINES = 8


def _is_quoted(line: str) -> bool:
    return bool(_QUOTED.match(line))


def _is_blank(line: str) -> bool:
    # A separator from HTML only matters when a header block follows it.
    return not line.strip() or line == SEPARATOR


def _attribution_start(lines: list[str], end: int) -> int | None:
    """First line of an attribution ("On <date>, <name> wrote:") ending on line `end`."""
    if not lines[end].rstrip().endswith((":", "：")) or _is_quoted(lines[end]):
        return None
    fallback: int | None = None
    for size in range(1, _MAX_ATTRIBUTION_LINES + 1):
        start = end - size + 1
        if start < 0 or _is_blank(lines[start]) or _is_quoted(lines[start]):
            break
        joined = " ".join(line.strip() for line in lines[start : end + 1])
        if len(joined) > 400:
            break
        wrote = _WROTE_END.search(joined) is not None
        if (wrote or _DATED_ADDRESS_END.match(joined)) and _ATTRIBUTION_START.match(joined):
            return start
        if fallback is None and wrote and re.search(r"\d|@", joined):
            fallback = start
    return fallback


def _header_block_at(lines: list[str], index: int) -> bool:
    """Whether an Outlook-style "From:/Sent:/To:/Subject:" block starts at `index`."""
    line = lines[index]
    if _is_quoted(line) or not (_HEADER_LINE_FROM.match(line) or _HEADER_LINE_DATE.match(line)):
        return False
    following = 0
    for other in lines[index + 1 : index + 6]:
        if _is_blank(other):
            continue
        if _HEADER_LINE_ANY.match(other):
            following += 1
            if following >= 1:
                return True
        else:
            # Outlook wraps a long "From:" value; one continuation line is allowed.
            continue
    return False


def _previous_nonblank(lines: list[str], index: int) -> int | None:
    index -= 1
    while index >= 0 and _is_blank(lines[index]):
        index -= 1
    return index if index >= 0 else None


def _next_nonblank(lines: list[str], index: int) -> int | None:
    index += 1
    while index < len(lines) and _is_blank(lines[index]):
        index += 1
    return index if index < len(lines) else None


def _find_unprefixed_quote(lines: list[str], quote_header: list[bool]) -> int:
    """Index where an unprefixed quoted message starts, or len(lines).

    Marks attribution lines followed by ">" lines in `quote_header` on the way.
    """
    index = 0
    while index < len(lines):
        line = lines[index]
        if _is_quoted(line) or _is_blank(line):
            index += 1
            continue
        if _FORWARD_MARKER.match(line):
            # A forwarded message is content the sender chose to pass on: keep all of it.
            return len(lines)
        cut: int | None = None
        if _ORIGINAL_MESSAGE.match(line) or _header_block_at(lines, index):
            cut = index
        else:
            start = _attribution_start(lines, index)
            if start is not None:
                following = _next_nonblank(lines, index)
                if following is not None and _is_quoted(lines[following]):
                    for header_index in range(start, index + 1):
                        quote_header[header_index] = True
                elif re.search(r"\d", " ".join(lines[start : index + 1])):
                    # Unprefixed quoting: only a dated attribution is trusted to start it.
                    cut = start
        if cut is not None:
            previous = _previous_nonblank(lines, cut)
            if previous is not None and (
                _RULE.match(lines[previous]) or _FRAMED_TITLE.match(lines[previous])
            ):
                cut = previous
            if any(not _is_blank(line) for line in lines[:cut]):
                return cut
            # Nothing written above it: a message pasted or forwarded whole, kept as content.
            return len(lines)
        index += 1
    return len(lines)


def _strong_signature_start(line: str, previous_blank: bool) -> bool:
    if _SIGNATURE_DASHES.match(line) or _SENT_FROM.match(line) or _FOOTER.match(line):
        return True
    if _DASH_NAME.match(line):
        return True
    # A rule right under a text line is a Markdown heading underline, not a delimiter.
    return previous_blank and _RULE.match(line) is not None


def _sender_tokens(sender: str) -> list[str]:
    tokens: list[str] = []
    sender = sender.strip().lower()
    if not sender:
        return tokens
    if "@" in sender:
        tokens.append(sender)
        local = sender.split("@", 1)[0]
        tokens.extend(part for part in re.split(r"[._+-]", local) if len(part) > 2)
    else:
        tokens.append(sender)
        tokens.extend(part for part in sender.split() if len(part) > 2)
    return tokens


def _trailing_signature_start(lines: list[str], start: int, end: int, sender: str) -> int | None:
    """Start of a signature paragraph at the end of lines[start:end], found by its shape."""
    last = end - 1
    while last >= start and _is_blank(lines[last]):
        last -= 1
    if last < start:
        return None
    first = last
    while first - 1 >= start and not _is_blank(lines[first - 1]):
        first -= 1
    paragraph = [line.strip() for line in lines[first : last + 1]]
    # The paragraph must not be the whole reply, and must look like a block of short lines.
    has_text_before = any(not _is_blank(line) for line in lines[start:first])
    if not has_text_before or len(paragraph) > _MAX_SIGNATURE_LINES:
        return None
    if any(len(line) > 80 for line in paragraph):
        return None
    contacts = sum(1 for line in paragraph if _CONTACT_LINE.search(line))
    if contacts >= 2 or any(_MOBILE_LINE.match(line) for line in paragraph):
        return first
    tokens = _sender_tokens(sender)
    if tokens and len(paragraph) <= 4:
        lowered = [line.lower() for line in paragraph]
        if any(token in line for token in tokens for line in lowered[:3]):
            return first
        # "Thanks," alone in one paragraph, the name in the next.
        previous = _previous_nonblank(lines, first)
        if (
            previous is not None
            and previous >= start
            and _SIGN_OFF.match(lines[previous])
            and any(token in line for token in tokens for line in lowered)
        ):
            return previous
    return None


def _segments(lines: list[str], in_quote: list[bool]) -> list[tuple[int, int]]:
    """Runs of unquoted lines, as (start, end) index pairs, split by quoted lines."""
    runs: list[tuple[int, int]] = []
    start: int | None = None
    for index, quoted in enumerate(in_quote):
        if quoted:
            if start is not None:
                runs.append((start, index))
                start = None
        elif start is None:
            start = index
    if start is not None:
        runs.append((start, len(lines)))
    return [(s, e) for s, e in runs if any(not _is_blank(line) for line in lines[s:e])]


def _signature_in(lines: list[str], start: int, end: int) -> int | None:
    previous_blank = True
    for index in range(start, end):
        line = lines[index]
        if _is_blank(line):
            previous_blank = True
            continue
        if _strong_signature_start(line, previous_blank):
            return index
        previous_blank = False
    return None


def _join(lines: list[str]) -> str:
    text = "\n".join(line.rstrip() for line in lines if line != SEPARATOR)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def trim_reply(text: str, *, sender: str = "") -> tuple[str, str, bool]:
    """(reply_text, signature, has_quote) of a plain-text body.

    `sender` (a display name or address) lets a signature paragraph be recognised by name.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ").split("\n")
    quote_header = [False] * len(lines)
    cut = _find_unprefixed_quote(lines, quote_header)
    has_quote = cut < len(lines)
    lines = lines[:cut]
    quote_header = quote_header[:cut]
    in_quote = [quote_header[i] or _is_quoted(line) for i, line in enumerate(lines)]
    has_quote = has_quote or any(in_quote)

    runs = _segments(lines, in_quote)
    content: list[tuple[int, int, int]] = []  # start, end of reply part, end of run
    signature_runs: list[tuple[int, int]] = []
    for start, end in runs:
        sig = _signature_in(lines, start, end)
        first_text = next(i for i in range(start, end) if not _is_blank(lines[i]))
        if sig is not None and sig == first_text:
            signature_runs.append((start, end))
        else:
            content.append((start, sig if sig is not None else end, end))

    if not content:
        signature = (
            _join(lines[signature_runs[0][0] : signature_runs[0][1]]) if (signature_runs) else ""
        )
        return "", signature, has_quote

    last_start, last_reply_end, last_end = content[-1]
    signature = ""
    if last_reply_end < last_end:
        signature = _join(lines[last_reply_end:last_end])
    else:
        shaped = _trailing_signature_start(lines, last_start, last_end, sender)
        if shaped is not None:
            last_reply_end = shaped
            signature = _join(lines[shaped:last_end])
        else:
            later = [run for run in signature_runs if run[0] >= last_end]
            if later:
                signature = _join(lines[later[0][0] : later[0][1]])

    # One answer: only that answer. Several answers between quotes: the whole exchange.
    reply_start = content[0][0] if len(content) > 1 else last_start
    if len(content) > 1:
        reply_start = 0
    reply_text = _join(lines[reply_start:last_reply_end])
    return reply_text, signature, has_quote


def parse_body(text: str, *, is_html: bool, sender: str = "") -> ParsedBody:
    """Split a body (plain text or HTML) into reply, signature and quoted parts."""
    text = text.replace("\x00", "")
    if is_html:
        marked = html_to_text(text, keep_separators=True)
        plain = _join(marked.split("\n"))
    else:
        marked = text
        plain = text.replace("\r\n", "\n").strip()
    reply_text, signature, has_quote = trim_reply(marked, sender=sender)
    return ParsedBody(text=plain, reply_text=reply_text, signature=signature, has_quote=has_quote)
