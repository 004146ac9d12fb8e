"""The Messenger Platform Send API, as documented: POST /v{version}/me/messages
?access_token=<page token> with JSON {"recipient": {"id"}, "messaging_type",
"message": {"text"} or {"attachment": {"type", "payload": {"url", "is_reusable"}}}, the
url fetched by Meta) (and "tag" when messaging_type is MESSAGE_TAG) →
{"recipient_id", "message_id"}; Graph errors as {"error": {"message", "type", "code",
"error_subcode", "fbtrace_id"}}. Attachment URLs are plain CDN links (no token)."""

from __future__ import annotations

import itertools

from omnicanal.connectors.tests.stubs import Answer, Recorded, StubServer, as_json

PAGE_TOKEN = "page-access-token"
MEDIA = b"GIF89a a Messenger image"


def graph_error(status: int, code: int, message: str, subcode: int | None = None) -> Answer:
    error: dict[str, object] = {"message": message, "type": "OAuthException", "code": code,
                                "fbtrace_id": "AbCdEf"}
    if subcode:
        error["error_subcode"] = subcode
    return as_json(status, {"error": error})


class SendApiStub(StubServer):
    ids = itertools.count(1)

    def answer(self, request: Recorded) -> Answer:
        if request.path.startswith("/cdn/"):
            return Answer(200, MEDIA, "image/gif")
        if request.path != "/v21.0/me/messages" or request.method != "POST":
            return graph_error(400, 100, "Unsupported request")
        if request.query.get("access_token") != [PAGE_TOKEN]:
            return graph_error(400, 190, "Invalid OAuth access token.")
        body = request.json()
        if not body.get("recipient", {}).get("id"):
            return graph_error(400, 100, "(#100) param recipient must be non-empty.")
        kind = body.get("messaging_type")
        if kind not in ("RESPONSE", "UPDATE", "MESSAGE_TAG"):
            return graph_error(400, 100, "(#100) Invalid messaging_type")
        if kind == "MESSAGE_TAG" and not body.get("tag"):
            return graph_error(400, 100, "(#100) Tag is required for MESSAGE_TAG")
        attachment = body.get("message", {}).get("attachment")
        if attachment is not None:
            if body["message"].get("text"):
                return graph_error(400, 100, "(#100) Must send either text or attachment")
            if attachment.get("type") not in ("image", "audio", "video", "file"):
                return graph_error(400, 100, "(#100) Invalid attachment type")
            url = attachment.get("payload", {}).get("url", "")
            if self.fetch(url).status != 200:
                return graph_error(400, 100, "(#100) Failed to fetch the file from the url",
                                   2018008)
        elif not body.get("message", {}).get("text"):
            return graph_error(400, 100, "(#100) Must send either text or attachment")
        return as_json(200, {"recipient_id": body["recipient"]["id"],
                             "message_id": f"m_OUT{next(self.ids)}"})
