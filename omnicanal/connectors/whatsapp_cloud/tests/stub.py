"""The WhatsApp Cloud API endpoints we call, as documented:
POST /v{version}/{phone_number_id}/messages (Bearer; JSON with messaging_product
"whatsapp", to, type, text.body, or image/document/audio/video with a `link` Meta fetches,
a caption and a document's filename) → {"messaging_product", "contacts", "messages": [{"id"}]};
GET /v{version}/{media_id} → {"url", "mime_type", "sha256", "file_size", "id"}; GET of that
url, with the same Bearer token, → the bytes. Errors: {"error": {"message", "type",
"code", "error_subcode", "error_data": {"details"}, "fbtrace_id"}}."""

from __future__ import annotations

import itertools
import re

from omnicanal.connectors.tests.stubs import Answer, Recorded, StubServer, as_json

ACCESS_TOKEN = "wa-access-token"
PHONE_NUMBER_ID = "1122334455667"
MEDIA = b"\x89PNG a WhatsApp image"


def graph_error(status: int, code: int, message: str, details: str = "") -> Answer:
    error = {"message": message, "type": "OAuthException", "code": code,
             "fbtrace_id": "AbCdEf"}
    if details:
        error["error_data"] = {"messaging_product": "whatsapp", "details": details}
    return as_json(status, {"error": error})


class WhatsAppCloudStub(StubServer):
    ids = itertools.count(1)

    def answer(self, request: Recorded) -> Answer:
        if request.headers.get("authorization") != f"Bearer {ACCESS_TOKEN}":
            return graph_error(401, 190, "Invalid OAuth access token - Cannot parse access token")
        if request.path.startswith("/whatsapp_business/attachments/"):
            return Answer(200, MEDIA, "image/png")
        if request.method == "POST" and request.path == f"/v21.0/{PHONE_NUMBER_ID}/messages":
            body = request.json()
            if body.get("messaging_product") != "whatsapp":
                return graph_error(400, 100, "(#100) The parameter messaging_product is required.")
            if not re.fullmatch(r"[1-9][0-9]{6,14}", str(body.get("to", ""))):
                return graph_error(400, 100, "(#100) Invalid parameter", "to is not valid")
            kind = body.get("type")
            if kind == "template":
                template = body.get("template") or {}
                if not template.get("name") or not (template.get("language") or {}).get("code"):
                    return graph_error(400, 100, "(#100) Param template['name'] is required.")
            elif kind in ("image", "document", "audio", "video"):
                link = body.get(kind, {}).get("link")
                if not link:
                    return graph_error(400, 100, f"(#100) Param {kind}['link'] is required.")
                if self.fetch(link).status != 200:
                    return graph_error(400, 131053, "Media upload error",
                                       "Downloading media from weblink failed")
            elif kind == "interactive":
                # A list: body text, a button label, 1 to 10 rows with titles of 24 at most.
                interactive = body.get("interactive") or {}
                action = interactive.get("action") or {}
                rows = [r for s in action.get("sections") or [] for r in s.get("rows") or []]
                if (interactive.get("type") != "list" or not action.get("button")
                        or not (interactive.get("body") or {}).get("text")
                        or not 1 <= len(rows) <= 10
                        or any(not r.get("id") or not 0 < len(r.get("title", "")) <= 24
                               for r in rows)):
                    return graph_error(400, 131009, "(#131009) Parameter value is not valid")
            elif kind != "text" or not body.get("text", {}).get("body"):
                return graph_error(400, 100, "(#100) Param text['body'] is required.")
            wamid = f"wamid.OUT{next(self.ids)}"
            return as_json(200, {"messaging_product": "whatsapp",
                                 "contacts": [{"input": body["to"], "wa_id": body["to"]}],
                                 "messages": [{"id": wamid}]})
        media = re.fullmatch(r"/v21\.0/(\d+)", request.path)
        if media and request.method == "GET":
            media_id = media.group(1)
            return as_json(200, {
                "messaging_product": "whatsapp",
                "url": f"{self.url}/whatsapp_business/attachments/?mid={media_id}",
                "mime_type": "image/png", "sha256": "abc", "file_size": len(MEDIA),
                "id": media_id,
            })
        return graph_error(400, 100, "Unsupported request")
