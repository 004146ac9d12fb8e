"""Text normalisation (core.text) for pages and forms: query strings and form fields.

The JSON API checks its own bodies (core.api_boundary) and webhooks keep their exact bytes
for signatures (their parsed content is normalised by ingest()), so both are left alone.
- Query strings (searches, filters) are cleaned: a search for "\\x00" finds what a search
  for "" finds, instead of PostgreSQL refusing the query with a 500.
- A form posted by a signed-in agent or administrator with a NUL or an unpaired surrogate is
  refused with a 422 naming the field: they typed it and can fix it. A visitor's form (the
  help center's contact form, feedback) is cleaned: it is a customer's content.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.utils.translation import gettext

from omnicanal.core.exceptions import NotFound
from omnicanal.core.text import clean_text, has_poison

# Left to their own boundary (see the module docstring).
_EXEMPT_PREFIXES = ("/api/", "/webhooks/")


def _poisoned_fields(data: QueryDict) -> list[str]:
    return [
        clean_text(key)
        for key, values in data.lists()
        if has_poison(key) or any(isinstance(v, str) and has_poison(v) for v in values)
    ]


def _cleaned(data: QueryDict) -> QueryDict:
    cleaned = QueryDict(mutable=True)
    for key, values in data.lists():
        cleaned.setlist(clean_text(key), [clean_text(v) if isinstance(v, str) else v
                                          for v in values])
    cleaned._mutable = False
    return cleaned


class TextBoundaryMiddleware:
    """After AuthenticationMiddleware: who posts decides between cleaning and refusing."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(_EXEMPT_PREFIXES):
            return self.get_response(request)
        if _poisoned_fields(request.GET):
            request.GET = _cleaned(request.GET)  # type: ignore[assignment]
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded", "multipart/form-data"
        ):
            fields = _poisoned_fields(request.POST)
            if fields and request.user.is_authenticated:
                message = gettext(
                    "%(fields)s: a NUL character or an unpaired surrogate cannot be stored. "
                    "Remove it and send again."
                ) % {"fields": ", ".join(fields)}
                return HttpResponse(message, status=422,
                                    content_type="text/plain; charset=utf-8")
            if fields:
                request.POST = _cleaned(request.POST)  # type: ignore[assignment]
        return self.get_response(request)


class NotFoundMiddleware:
    """An action's NotFound (a conversation, rule or calendar that is not there, or that the
    user may not see) reaching a page view is that page's 404: views need not translate it
    one by one. The API maps it in its own exception handlers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, NotFound):
            raise Http404(exception.message) from exception
