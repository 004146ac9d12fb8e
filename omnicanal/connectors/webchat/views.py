"""The widget's HTTP side: the script itself, its configuration, and the long-polling
fallback of the socket (post a message, get messages since a cursor, typing, receipts,
leave an e-mail).

Cross-origin by nature: no cookies are used (the visitor is its localStorage id), so CSRF
does not apply; the inbox's `allowed_origins` decide who may call, and only they get CORS
headers. Every refusal is JSON `{"error": "…"}` with its status (403 origin or identity,
404 token, 422 input, 429 rate).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from functools import cache, wraps
from pathlib import Path
from typing import Any

from asgiref.sync import sync_to_async
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from omnicanal.connectors.webchat import actions
from omnicanal.connectors.webchat.config import WebchatSettings
from omnicanal.connectors.webchat.ratelimit import check_rate
from omnicanal.conversations.actions import access_conversation
from omnicanal.core.exceptions import DomainError, InvalidInput
from omnicanal.core.text import clean_data, clean_text

WIDGET_JS = Path(__file__).parent / "static" / "webchat" / "widget.js"
MAX_BODY_BYTES = 64 * 1024
# A poll waits this long for news before answering empty; under the usual 30 s proxy timeout.
LONG_POLL_SECONDS = 20
LONG_POLL_STEP_SECONDS = 1.0


@cache
def _widget_source() -> bytes:
    return WIDGET_JS.read_bytes()


def widget_js(request: HttpRequest) -> HttpResponse:
    """The embeddable script: `<script src="…/widget.js" data-site-token="…" async>`."""
    response = HttpResponse(_widget_source(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    # The host page's CORP policy must not block a cross-origin script.
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


def request_origin(request: HttpRequest) -> str:
    """The page's origin. A browser leaves Origin out of a same-origin GET, but says
    Sec-Fetch-Site: same-origin: the page is then on this server (the settings' preview of
    the widget), whose origin still has to be among the inbox's allowed origins."""
    origin = request.headers.get("Origin", "")
    if not origin and request.headers.get("Sec-Fetch-Site") == "same-origin":
        return f"{request.scheme}://{request.get_host()}"
    return origin


def client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "")


def with_cors(
    response: HttpResponse, origin: str, methods: str = "GET, POST, OPTIONS"
) -> HttpResponse:
    """The answer to a page of `origin` (already checked against the inbox's origins)."""
    response["Access-Control-Allow-Origin"] = origin
    response["Access-Control-Allow-Methods"] = methods
    response["Access-Control-Allow-Headers"] = "Content-Type"
    response["Access-Control-Max-Age"] = "600"
    response["Vary"] = "Origin"
    return response


class BodyTooLarge(DomainError):
    status = 413


def json_body(request: HttpRequest) -> dict[str, Any]:
    """The widget's JSON object, cleaned; 413 over the widget's size, 422 when not JSON."""
    try:
        size = len(request.body)
    except RequestDataTooBig:
        # Over DATA_UPLOAD_MAX_MEMORY_SIZE: Django would answer an HTML 400.
        raise BodyTooLarge(_("The request is too large.")) from None
    if size > MAX_BODY_BYTES:
        raise BodyTooLarge(_("The request is too large."))
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput(_("The body must be JSON.")) from None
    if not isinstance(body, dict):
        raise InvalidInput(_("The body must be a JSON object."))
    # A visitor's message, name or e-mail: kept minus NUL and unpaired surrogates (core.text).
    return dict(clean_data(body))


Handler = Callable[[HttpRequest, Any, WebchatSettings], dict[str, Any]]


def public_endpoint(scope: str) -> Callable[[Handler], Callable[..., HttpResponse]]:
    """Origin check, CORS, per-IP rate limit and JSON errors around a widget endpoint."""

    def decorate(handler: Handler) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @wraps(handler)
        def view(request: HttpRequest, site_token: str) -> HttpResponse:
            origin = request_origin(request)
            allowed = ""
            try:
                inbox = actions.find_inbox(site_token)
                config = actions.check_origin(inbox, origin)
                allowed = origin
                if request.method == "OPTIONS":
                    return with_cors(HttpResponse(status=204), allowed)
                if request.method not in ("GET", "POST"):
                    return with_cors(JsonResponse({"error": "Method not allowed."}, status=405),
                                 allowed)
                check_rate(scope, ip=client_ip(request))
                body = handler(request, inbox, config)
                status = body.pop("_status", 200)
                response: HttpResponse = JsonResponse(body, status=status)
            except DomainError as exc:
                response = JsonResponse({"error": exc.message}, status=exc.status)
            return with_cors(response, allowed) if allowed else response

        return view

    return decorate


def _visitor(request: HttpRequest, inbox: Any, body: dict[str, Any]) -> actions.Visitor:
    identity = body.get("identity") if isinstance(body.get("identity"), dict) else None
    return actions.identify(inbox, body.get("visitor_id", ""), identity)


@public_endpoint("poll")
def widget_config(request: HttpRequest, inbox: Any, config: WebchatSettings) -> dict[str, Any]:
    """Opening hours, texts and looks for the widget's first screen, and its pre-chat form."""
    language = translation.get_language_from_request(request)

    def text(texts: Any) -> str:
        return str(texts.get(language) or texts.get("en", ""))

    return {
        "name": inbox.name,
        **actions.opening_status(config, timezone.now()),
        "wait_message": text(config.wait_message),
        "greeting": text(config.greeting),
        "help_center_url": config.help_center_url or request.build_absolute_uri("/help/"),
        "color": config.color,
        "position": config.position,
        "sound": config.sound,
        "prechat": actions.prechat_form(config),
    }


@public_endpoint("message")
def post_message(request: HttpRequest, inbox: Any, config: WebchatSettings) -> dict[str, Any]:
    """A visitor's message: `{"visitor_id", "client_id", "text", "identity"?, "email"?}`,
    with the pre-chat form's `name`, `phone` and `attributes` on the first one."""
    body = json_body(request)
    visitor = _visitor(request, inbox, body)
    check_rate("message", visitor=visitor.identity_value)
    result = actions.post_message(
        visitor, body.get("client_id"), body.get("text"),
        email=str(body.get("email") or ""), name=str(body.get("name") or ""),
        phone=str(body.get("phone") or ""), attributes=body.get("attributes"),
    )
    return {
        "_status": 200 if result.is_duplicate else 201,
        "id": result.message_id,
        "conversation_id": result.conversation_id,
        "duplicate": result.is_duplicate,
        "queue": actions.conversation_queue(result.conversation_id),
    }


@public_endpoint("email")
def leave_email(request: HttpRequest, inbox: Any, config: WebchatSettings) -> dict[str, Any]:
    """"Answer me later by e-mail": the address (unverified) and the question."""
    body = json_body(request)
    visitor = _visitor(request, inbox, body)
    check_rate("email", visitor=visitor.identity_value)
    if not str(body.get("email") or "").strip():
        raise InvalidInput(_("An e-mail address is required."))
    result = actions.post_message(
        visitor, body.get("client_id"), body.get("text"),
        email=str(body.get("email")), name=str(body.get("name") or ""),
    )
    return {"_status": 201, "id": result.message_id, "conversation_id": result.conversation_id}


@public_endpoint("typing")
def typing(request: HttpRequest, inbox: Any, config: WebchatSettings) -> dict[str, Any]:
    body = json_body(request)
    visitor = _visitor(request, inbox, body)
    check_rate("typing", visitor=visitor.identity_value)
    actions.notify_visitor_typing(visitor, bool(body.get("is_typing")))
    return {"ok": True}


@public_endpoint("read")
def read(request: HttpRequest, inbox: Any, config: WebchatSettings) -> dict[str, Any]:
    body = json_body(request)
    visitor = _visitor(request, inbox, body)
    check_rate("read", visitor=visitor.identity_value)
    moved = actions.acknowledge(visitor, body.get("up_to"), is_read=bool(body.get("is_read")))
    return {"updated": moved}


def _poll_visitor(request: HttpRequest, inbox: Any) -> tuple[actions.Visitor, int]:
    query = {key: clean_text(str(value)) for key, value in request.GET.items()}
    identity = {"user_id": query.get("user_id", ""), "user_hash": query.get("user_hash", ""),
                "email": query.get("email", ""), "name": query.get("name", "")}
    visitor = actions.identify(inbox, query.get("visitor_id", ""), identity)
    try:
        since = int(query.get("since") or 0)
    except ValueError:
        raise InvalidInput(_("since must be a message id.")) from None
    return visitor, since


@csrf_exempt
async def messages(request: HttpRequest, site_token: str) -> HttpResponse:
    """`GET ?visitor_id=…&since=<id>[&wait=1][&queue=1]`: the visitor's messages after the
    cursor. With `wait=1` the answer is held until something arrives or 20 s pass (long
    polling, when websockets are blocked); with `queue=1` it also says the visitor's place in
    line (`queue`, as on the socket). POST is `post_message`."""
    if request.method in ("POST", "OPTIONS"):
        return await sync_to_async(post_message)(request, site_token=site_token)
    origin = request_origin(request)
    try:
        inbox = await sync_to_async(actions.find_inbox)(site_token)
        await sync_to_async(actions.check_origin)(inbox, origin)
    except DomainError as exc:
        return JsonResponse({"error": exc.message}, status=exc.status)
    try:
        visitor, since = await sync_to_async(_poll_visitor)(request, inbox)
        await sync_to_async(check_rate)(
            "poll", visitor=visitor.identity_value, ip=client_ip(request)
        )
        rows = await sync_to_async(actions.messages_since)(visitor, since)
        deadline = asyncio.get_running_loop().time() + LONG_POLL_SECONDS
        while not rows and request.GET.get("wait") and (
            asyncio.get_running_loop().time() < deadline
        ):
            await asyncio.sleep(LONG_POLL_STEP_SECONDS)
            rows = await sync_to_async(actions.messages_since)(visitor, since)
        cursor = max([since, *(m["id"] for m in rows)])
        body: dict[str, Any] = {"messages": rows, "cursor": cursor}
        if request.GET.get("queue"):
            body["queue"] = await sync_to_async(actions.visitor_queue)(visitor)
        response: HttpResponse = JsonResponse(body)
    except DomainError as exc:
        response = JsonResponse({"error": exc.message}, status=exc.status)
    return with_cors(response, origin)


@login_required
@require_POST
def agent_typing(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """The workspace says an agent types in a web chat conversation (`is_typing=1|0`)."""
    try:
        conversation = access_conversation(request.user, conversation_id)  # type: ignore[arg-type]
    except DomainError as exc:
        return JsonResponse({"error": exc.message}, status=exc.status)
    user = request.user
    name = getattr(user, "display_name", "") or str(user)
    reached = actions.notify_agent_typing(
        conversation, name, request.POST.get("is_typing", "1") == "1"
    )
    return JsonResponse({"widgets": reached})
