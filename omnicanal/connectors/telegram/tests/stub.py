"""The Bot API methods we call, as documented: POST /bot<token>/<method> with JSON (or form)
parameters (multipart/form-data for an upload: sendPhoto's photo, sendDocument's
document) → {"ok": true, "result": ...} or {"ok": false, "error_code", "description",
"parameters": {"retry_after"}}; files are downloaded from /file/bot<token>/<file_path>."""

from __future__ import annotations

import itertools
import json
import re
from urllib.parse import parse_qs

from omnicanal.connectors.tests.stubs import Answer, Recorded, StubServer, as_json

BOT_TOKEN = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"
FILE = b"\xff\xd8\xff a Telegram photo"


def error(status: int, description: str, retry_after: int | None = None) -> Answer:
    body: dict[str, object] = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return as_json(status, body)


class BotApiStub(StubServer):
    ids = itertools.count(500)
    # The last setWebhook's parameters.
    webhook: dict[str, object] | None = None

    def answer(self, request: Recorded) -> Answer:
        if request.path.startswith(f"/file/bot{BOT_TOKEN}/"):
            return Answer(200, FILE, "application/octet-stream")
        prefix = f"/bot{BOT_TOKEN}/"
        if not request.path.startswith(prefix):
            return error(401, "Unauthorized")
        method = request.path.removeprefix(prefix)
        uploads: dict[str, tuple[str, str, bytes]] = {}
        if "json" in request.headers.get("content-type", ""):
            params = json.loads(request.body or b"{}")
        elif "multipart/form-data" in request.headers.get("content-type", ""):
            uploads = request.multipart()
            params = {k: v[2].decode() for k, v in uploads.items() if not v[0]}
        else:
            params = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
        if method == "sendMessage":
            if not params.get("chat_id"):
                return error(400, "Bad Request: chat_id is empty")
            if not params.get("text"):
                return error(400, "Bad Request: message text is empty")
            return as_json(200, {"ok": True, "result": {
                "message_id": next(self.ids), "date": 1718000100,
                "from": {"id": 123456, "is_bot": True, "first_name": "Support"},
                "chat": {"id": int(params["chat_id"]), "type": "private"},
                "text": params["text"],
            }})
        if method in ("sendPhoto", "sendDocument"):
            field = "photo" if method == "sendPhoto" else "document"
            if not params.get("chat_id"):
                return error(400, "Bad Request: chat_id is empty")
            if field not in uploads or not uploads[field][0]:
                return error(400, f"Bad Request: there is no {field} in the request")
            result: dict[str, object] = {
                "message_id": next(self.ids), "date": 1718000100,
                "chat": {"id": int(params["chat_id"]), "type": "private"},
                field: ({"file_name": uploads[field][0], "file_id": "BQAC"}
                        if field == "document" else [{"file_id": "AgAC"}]),
            }
            if params.get("caption"):
                result["caption"] = params["caption"]
            return as_json(200, {"ok": True, "result": result})
        if method == "setWebhook":
            # As documented: HTTPS only; the secret token 1-256 of A-Z a-z 0-9 _ -.
            if not str(params.get("url", "")).startswith("https://"):
                return error(400, "Bad Request: bad webhook: An HTTPS URL must be provided "
                                  "for webhook")
            if not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(params.get("secret_token", ""))):
                return error(400, "Bad Request: secret token contains unallowed characters")
            self.webhook = dict(params)
            return as_json(200, {"ok": True, "result": True, "description": "Webhook was set"})
        if method == "getFile":
            return as_json(200, {"ok": True, "result": {
                "file_id": params.get("file_id"), "file_unique_id": "AQADl",
                "file_size": len(FILE), "file_path": "photos/file_7.jpg",
            }})
        return error(404, "Not Found: method not found")
