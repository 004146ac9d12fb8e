"""Importing articles into the knowledge base: HTML pages, the pages of a sitemap, Markdown
files, CSV, and ZIP archives of Markdown and HTML files.

`start_import` stores the uploaded files and queues the run (an `ImportRun`); the task
`knowledge.tasks.run_import` calls `run_import`, which reads the sources one unit at a time
(a file, a page, a CSV row), saves what each holds through `actions.save_article` (the one
writer of an article), and keeps the run's progress and its report up to date.
Articles arrive as drafts unless an administrator asked to publish them; one already there
with the same title and language is skipped or updated, as the run's options say.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import PurePosixPath
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from omnicanal.accounts.models import User
from omnicanal.core.exceptions import InvalidInput
from omnicanal.knowledge import importing_fetch, importing_html
from omnicanal.knowledge.actions import free_slug, save_article
from omnicanal.knowledge.models import (
    Article,
    ArticleStatus,
    BodyFormat,
    Category,
    ImportKind,
    ImportRun,
    ImportStatus,
    Locale,
    Visibility,
)

logger = logging.getLogger(__name__)

HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdown"}
CSV_SUFFIXES = {".csv"}
ZIP_SUFFIXES = {".zip"}
ACCEPTED_SUFFIXES = HTML_SUFFIXES | MARKDOWN_SUFFIXES | CSV_SUFFIXES | ZIP_SUFFIXES
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_FILES = 50
MAX_ZIP_MEMBERS = 1000
MAX_ZIP_BYTES = 50 * 1024 * 1024
# How often the run's counts are written while it goes; the report is written at the end
# (a run cut short is run again from the start: what it had saved is found as duplicates).
PROGRESS_EVERY_SECONDS = 0.5


class Outcome:
    CREATED = "created"
    UPDATED = "updated"
    SKIPPED = "skipped"
    FAILED = "failed"


class ItemProblem(importing_fetch.FetchError):
    """Why one item (a row, a file, a page) could not be imported, for the report: an
    untranslated message and its values, translated where the report is shown."""


@dataclass
class Draft:
    """An article as a source gives it, before it meets the knowledge base."""

    title: str
    body: str
    body_format: str
    language: str = ""  # "fr", "en" or "" (detected)
    category: str = ""
    visibility: str = ""


@dataclass
class Unit:
    """One step of the progress bar: a file, a page, a row."""

    label: str
    load: Callable[[], list[Draft]]
    line: int = 0  # a CSV row's line in its file


# ---------------------------------------------------------------- language

_FRENCH = frozenset([
    "le", "la", "les", "un", "une", "des", "du", "de", "et", "est", "sont", "pour", "pas",
    "vous", "votre", "vos", "nous", "avec", "dans", "sur", "qui", "que", "quoi", "comment",
    "pourquoi", "mon", "ma", "mes", "ce", "cette", "ces", "au", "aux", "ou", "où", "être",
    "avoir", "peut", "puis-je", "je", "il", "elle", "en", "ne", "plus", "par", "mais", "si",
    "sans"
])
_ENGLISH = frozenset([
    "the", "a", "an", "and", "is", "are", "for", "not", "you", "your", "we", "with", "in", "on",
    "who", "what", "how", "why", "my", "this", "that", "these", "to", "of", "be", "have", "can",
    "i", "it", "or", "but", "if", "without", "do", "does", "from", "at", "by"
])


def detect_language(text: str, default: str = Locale.FR) -> str:
    """French or English, by counting each language's most common words."""
    words = re.findall(r"[a-zàâçéèêëîïôûùüÿœæ'-]+", text.lower())
    french = sum(word in _FRENCH for word in words) + 2 * len(re.findall(r"[éèàçùêâ]", text))
    english = sum(word in _ENGLISH for word in words)
    if french == english:
        return default
    return Locale.FR if french > english else Locale.EN


# ---------------------------------------------------------------- sources

def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def html_drafts(html: str, fallback_title: str = "", base_url: str = "") -> list[Draft]:
    articles = importing_html.page_articles(html, fallback_title, base_url)
    if not articles:
        raise ItemProblem(gettext_noop("No article found in this page."))
    return [
        Draft(article.title, article.body, BodyFormat.HTML, article.language, article.group)
        for article in articles
    ]


_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
_HEADING = re.compile(r"^#[ \t]+(.+?)[ \t#]*$", re.M)


_FRONT_MATTER_LINE = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:[ \t]*(.*?)[ \t]*$")


def front_matter(block: str) -> dict[str, str]:
    """The `key: value` lines of a Markdown file's front matter (the YAML subset such files
    use for these fields: one line each, the value optionally quoted); other lines (lists,
    nested keys, comments) are passed over."""
    meta: dict[str, str] = {}
    for line in block.splitlines():
        found = _FRONT_MATTER_LINE.match(line)
        if found is None:
            continue
        value = found.group(2)
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        meta[found.group(1).lower()] = value
    return meta


def markdown_draft(text: str, fallback_title: str = "") -> Draft:
    """A Markdown file: optional YAML front matter (title, category, language, visibility),
    then the text; without a title there, the first "# " heading is the title."""
    meta: dict[str, str] = {}
    match = _FRONT_MATTER.match(text)
    if match:
        meta = front_matter(match.group(1))
        text = text[match.end():]
    title = str(meta.get("title") or "").strip()
    if not title:
        heading = _HEADING.search(text)
        if heading:
            title = heading.group(1).strip()
            text = text[:heading.start()] + text[heading.end():]
    title = title or fallback_title
    body = text.strip()
    if not title:
        raise ItemProblem(
            gettext_noop("No title: add one in the front matter or a first # heading.")
        )
    if not body:
        raise ItemProblem(gettext_noop("The text is empty."))
    return Draft(
        title=title, body=body, body_format=BodyFormat.MARKDOWN,
        language=str(meta.get("language") or meta.get("lang") or "").strip().lower(),
        category=str(meta.get("category") or "").strip(),
        visibility=str(meta.get("visibility") or "").strip().lower(),
    )


CSV_FORMATS = {"text": BodyFormat.TEXT, "html": BodyFormat.HTML, "markdown": BodyFormat.MARKDOWN,
               "md": BodyFormat.MARKDOWN, "": ""}


def csv_units(data: bytes, name: str) -> list[Unit]:
    """One unit per row of a CSV with the columns title and body (and, optional, category,
    language, visibility, format); commas or semicolons."""
    text = _decode(data)
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096].split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
    columns = {(column or "").strip().lower() for column in reader.fieldnames or []}
    if not {"title", "body"} <= columns:
        raise ItemProblem(gettext_noop("The CSV file needs the columns title and body."))
    units = []
    for row in reader:
        line = reader.line_num
        cells = {(key or "").strip().lower(): (value or "").strip()
                 for key, value in row.items() if isinstance(value, str)}
        if not any(cells.values()):
            continue
        units.append(Unit(name, partial(_csv_rows, cells), line))
    return units


def _csv_rows(cells: dict[str, str]) -> list[Draft]:
    return [_csv_draft(cells)]


def _csv_draft(cells: dict[str, str]) -> Draft:
    if not cells.get("title"):
        raise ItemProblem(gettext_noop("The title is empty."))
    if not cells.get("body"):
        raise ItemProblem(gettext_noop("The body is empty."))
    body_format = cells.get("format", "").lower()
    if body_format not in CSV_FORMATS:
        raise ItemProblem(gettext_noop("Unknown format “%(value)s” (text, html or markdown)."),
                          value=cells["format"])
    chosen = CSV_FORMATS[body_format]
    if not chosen:
        chosen = BodyFormat.HTML if re.search(r"<(p|ul|ol|br|h[2-4]|a|table)\b", cells["body"],
                                              re.I) else BodyFormat.TEXT
    return Draft(
        title=cells["title"], body=cells["body"], body_format=chosen,
        language=cells.get("language", "").lower(), category=cells.get("category", ""),
        visibility=cells.get("visibility", "").lower(),
    )


def _file_units(name: str, data: bytes, folder: str = "") -> list[Unit]:
    suffix = PurePosixPath(name).suffix.lower()
    stem = PurePosixPath(name).stem.replace("-", " ").replace("_", " ").strip()

    def with_folder(drafts: list[Draft]) -> list[Draft]:
        for draft in drafts:
            draft.category = draft.category or folder
        return drafts

    if suffix in HTML_SUFFIXES:
        return [Unit(name, lambda: with_folder(html_drafts(_decode(data), stem)))]
    if suffix in MARKDOWN_SUFFIXES:
        return [Unit(name, lambda: with_folder([markdown_draft(_decode(data), stem)]))]
    if suffix in CSV_SUFFIXES:
        return csv_units(data, name)
    if suffix in ZIP_SUFFIXES:
        return _zip_units(name, data)
    raise ItemProblem(
        gettext_noop("This kind of file is not imported (HTML, Markdown, CSV or ZIP).")
    )


def _zip_units(name: str, data: bytes) -> list[Unit]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise ItemProblem(gettext_noop("The ZIP archive cannot be read.")) from error
    members = [
        info for info in archive.infolist()
        if not info.is_dir() and not info.filename.startswith("__MACOSX/")
        and not PurePosixPath(info.filename).name.startswith(".")
        and PurePosixPath(info.filename).suffix.lower() in HTML_SUFFIXES | MARKDOWN_SUFFIXES
    ]
    if len(members) > MAX_ZIP_MEMBERS:
        raise ItemProblem(gettext_noop("The archive holds more than %(count)s files."),
                          count=MAX_ZIP_MEMBERS)
    if sum(info.file_size for info in members) > MAX_ZIP_BYTES:
        raise ItemProblem(gettext_noop("The archive is too large once unpacked."))
    units: list[Unit] = []
    for info in members:
        path = PurePosixPath(info.filename)
        folder = path.parent.name if path.parent.name else ""
        label = f"{name}: {info.filename}"

        def load(info: zipfile.ZipInfo = info, folder: str = folder) -> list[Draft]:
            content = archive.read(info)[:MAX_ZIP_BYTES]
            [unit] = _file_units(info.filename, content, folder.replace("-", " ").strip())
            return unit.load()

        units.append(Unit(label, load))
    return units


def _sitemap_units(url: str) -> list[Unit]:
    pages = importing_fetch.sitemap_pages(url)

    def load(page: str) -> list[Draft]:
        try:
            fetched = importing_fetch.fetch(page)
        except importing_fetch.FetchError as error:
            raise ItemProblem(error.message_id, **error.values) from error
        if fetched.content_type not in {"text/html", "application/xhtml+xml"}:
            raise ItemProblem(gettext_noop("Not an HTML page (%(type)s)."),
                              type=fetched.content_type)
        return html_drafts(importing_fetch.decode(fetched), page, fetched.url)

    return [Unit(page, partial(load, page)) for page in pages]


# ---------------------------------------------------------------- saving

@dataclass
class Options:
    language: str = "auto"
    category: str = ""
    visibility: str = Visibility.PUBLIC
    on_duplicate: str = "skip"
    publish: bool = False

    @classmethod
    def of(cls, run: ImportRun) -> Options:
        known = {key: value for key, value in (run.options or {}).items()
                 if key in cls.__dataclass_fields__}
        return cls(**known)


def _category(name: str, language: str) -> Category | None:
    name = " ".join(name.split())[:120]
    if not name:
        return None
    existing = Category.objects.filter(locale=language, name__iexact=name).first()
    if existing is not None:
        return existing
    slug = free_slug(Category.objects.filter(locale=language), name, 120)
    return Category.objects.create(locale=language, name=name, slug=slug)


def _language_of(draft: Draft, options: Options) -> str:
    if draft.language:
        if draft.language[:2] not in Locale.values:
            raise ItemProblem(gettext_noop("Unknown language “%(value)s” (fr or en)."),
                              value=draft.language)
        return draft.language[:2]
    if options.language in Locale.values:
        return options.language
    text = draft.title + " " + (importing_html.plain_text(draft.body)
                                if draft.body_format == BodyFormat.HTML else draft.body)
    return detect_language(text)


def save_draft(draft: Draft, options: Options, owner: User | None) -> tuple[str, Article | None,
                                                                           str]:
    """Put one draft into the knowledge base: (outcome, article, reason)."""
    title = " ".join(draft.title.split())[:200]
    if not title:
        raise ItemProblem(gettext_noop("The title is empty."))
    language = _language_of(draft, options)
    visibility = draft.visibility or options.visibility
    if visibility not in Visibility.values:
        raise ItemProblem(gettext_noop("Unknown visibility “%(value)s” (public or internal)."),
                          value=visibility)
    same_title = Article.objects.filter(locale=language, title__iexact=title).order_by("id")
    skip = options.on_duplicate != "update"
    reason = gettext_noop("An article with this title already exists.")
    # Looked up first without a transaction: re-importing a large file skips most rows.
    if skip and (found := same_title.first()) is not None:
        return Outcome.SKIPPED, found, reason
    with transaction.atomic():
        existing = same_title.select_for_update().first()
        if skip and existing is not None:
            return Outcome.SKIPPED, existing, reason
        category = _category(draft.category or options.category, language)
        article = existing or Article(locale=language, slug="",
                                      owner=owner, status=ArticleStatus.DRAFT)
        article.title = title
        article.body = draft.body
        article.body_format = draft.body_format
        article.visibility = visibility
        if category is not None:
            article.category = category
        if options.publish:
            article.status = ArticleStatus.PUBLISHED
        save_article(article)
    return (Outcome.UPDATED if existing else Outcome.CREATED), article, ""


# ---------------------------------------------------------------- runs

def start_import(
    user: User, *, kind: str, files: list[UploadedFile] | None = None, url: str = "",
    options: dict[str, Any],
) -> ImportRun:
    """Check the request, store the uploads, and queue the run."""
    from omnicanal.knowledge.tasks import run_import as run_import_task

    files = files or []
    if options.get("publish") and not user.is_administrator:
        raise InvalidInput(_("Only administrators can publish directly."))
    if kind == ImportKind.SITEMAP:
        try:
            importing_fetch.check_url(url.strip())
        except importing_fetch.FetchError as error:
            raise InvalidInput(error.message_id, **error.values) from error
        name = url.strip()
    elif kind == ImportKind.FILES:
        if not files:
            raise InvalidInput(_("Choose at least one file."))
        if len(files) > MAX_FILES:
            raise InvalidInput(_("At most %(count)s files at a time."), count=MAX_FILES)
        for upload in files:
            if PurePosixPath(upload.name or "").suffix.lower() not in ACCEPTED_SUFFIXES:
                raise InvalidInput(_("“%(name)s” is not an HTML, Markdown, CSV or ZIP file."),
                                   name=upload.name)
            if (upload.size or 0) > MAX_UPLOAD_BYTES:
                raise InvalidInput(_("“%(name)s” is larger than 20 MB."), name=upload.name)
        name = ", ".join(upload.name or "" for upload in files)[:500]
    else:
        raise InvalidInput(_("Choose what to import."))
    with transaction.atomic():
        run = ImportRun.objects.create(created_by=user, kind=kind, name=name, options=options)
        stored = []
        for upload in files:
            safe = PurePosixPath(upload.name or "file").name
            stored.append(default_storage.save(
                f"knowledge/imports/{run.pk}/{safe}", ContentFile(upload.read())
            ))
        run.files = stored
        run.save(update_fields=["files"])
        run_import_task.enqueue(run.pk)
    return run


def _units(run: ImportRun) -> Iterator[Unit]:
    if run.kind == ImportKind.SITEMAP:
        yield from _sitemap_units(run.name)
        return
    for stored in run.files:
        name = PurePosixPath(stored).name
        try:
            with default_storage.open(stored) as handle:
                data = handle.read()
            units = _file_units(name, data)
        except ItemProblem as problem:
            yield Unit(name, partial(_raise, problem))
            continue
        except OSError:
            missing = ItemProblem(gettext_noop("The uploaded file is gone."))
            yield Unit(name, partial(_raise, missing))
            continue
        yield from units


def _raise(problem: Exception) -> list[Draft]:
    raise problem


def run_import(run_id: int) -> ImportRun | None:
    """Run a queued import to its end, recording each item's outcome as it goes. Safe to run
    again: what is already there is found as a duplicate."""
    run = ImportRun.objects.filter(pk=run_id).select_related("created_by").first()
    if run is None or run.is_finished:
        return run
    options = Options.of(run)
    run.status = ImportStatus.RUNNING
    run.started_at = timezone.now()
    run.total = run.done = run.created = run.updated = run.skipped = run.failed = 0
    run.report = []
    run.error = ""
    run.save()
    try:
        return _run(run, options)
    except Exception as error:
        # Not left "running" for ever: the page says it failed, the log says why.
        logger.exception("import %s failed", run.pk)
        _finish(run, ImportStatus.FAILED, type(error).__name__)
        raise


def _run(run: ImportRun, options: Options) -> ImportRun:
    try:
        units = list(_units(run))
    except importing_fetch.FetchError as error:
        _record(run, Unit(run.name, lambda: []), Outcome.FAILED, None, "", error)
        _finish(run, ImportStatus.FAILED, str(error))
        return run
    run.total = len(units)
    run.save(update_fields=["total"])
    last_written = time.monotonic()
    for index, unit in enumerate(units, start=1):
        _run_unit(run, unit, options)
        run.done = index
        # The page polls every second: writing the counts more often only costs commits.
        if time.monotonic() - last_written >= PROGRESS_EVERY_SECONDS:
            run.save(update_fields=["done", "created", "updated", "skipped", "failed"])
            last_written = time.monotonic()
    _finish(run, ImportStatus.DONE, "")
    return run


def _run_unit(run: ImportRun, unit: Unit, options: Options) -> None:
    try:
        drafts = unit.load()
    except importing_fetch.FetchError as problem:
        _record(run, unit, Outcome.FAILED, None, "", problem)
        return
    except Exception:  # a source's surprise fails its item, not the run
        logger.exception("import %s: %s could not be read", run.pk, unit.label)
        _record(run, unit, Outcome.FAILED, None, "", ItemProblem(UNEXPECTED))
        return
    for draft in drafts:
        try:
            outcome, article, reason = save_draft(draft, options, run.created_by)
        except importing_fetch.FetchError as problem:
            _record(run, unit, Outcome.FAILED, None, draft.title, problem)
            continue
        except Exception:
            logger.exception("import %s: %s could not be saved", run.pk, unit.label)
            _record(run, unit, Outcome.FAILED, None, draft.title, ItemProblem(UNEXPECTED))
            continue
        _record(run, unit, outcome, article, draft.title, ItemProblem(reason) if reason else None)


UNEXPECTED = gettext_noop("An unexpected error stopped this item (see the server's log).")


def _record(run: ImportRun, unit: Unit, outcome: str, article: Article | None, title: str,
            reason: importing_fetch.FetchError | None) -> None:
    run.report.append({
        "item": unit.label[:500], "line": unit.line, "outcome": outcome,
        "article": article.pk if article else None,
        "title": (article.title if article else title)[:200],
        "reason": reason.message_id if reason else "",
        "values": reason.values if reason else {},
    })
    setattr(run, outcome, getattr(run, outcome) + 1)


def _finish(run: ImportRun, status: str, error: str) -> None:
    run.status = status
    run.error = error
    run.finished_at = timezone.now()
    run.save()
    for stored in run.files:
        try:
            default_storage.delete(stored)
        except OSError:
            logger.warning("import %s: could not delete %s", run.pk, stored)
