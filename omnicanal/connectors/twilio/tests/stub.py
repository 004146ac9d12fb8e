"""Twilio's Messages resource and media, as documented:
POST /2010-04-01/Accounts/{AccountSid}/Messages.json (basic auth SID:token, form body
To, From or MessagingServiceSid, Body, MediaUrl up to 10 times, each fetched by Twilio) → 201 with the Message resource; errors are
{"code", "message", "more_info", "status"}. Media URLs answer 307 to pre-signed storage,
which refuses a request that also carries credentials (as S3 does)."""

from __future__ import annotations

import base64
import itertools
import re

from omnicanal.connectors.tests.stubs import Answer, Recorded, StubServer, as_json

ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef"
AUTH_TOKEN = "twilio-auth-token"
MEDIA = b"\xff\xd8\xff\xe0 a jpeg from Twilio"


def error(status: int, code: int, message: str) -> Answer:
    return as_json(status, {"code": code, "message": message, "status": status,
                            "more_info": f"https://www.twilio.com/docs/errors/{code}"})


class TwilioStub(StubServer):
    sids = itertools.count(1)

    def answer(self, request: Recorded) -> Answer:
        if request.path.startswith("/storage/"):
            if "authorization" in request.headers:
                return Answer(400, b"<Error>Only one auth mechanism allowed</Error>",
                              "application/xml")
            return Answer(200, MEDIA, "image/jpeg")
        expected = "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
        if request.headers.get("authorization") != expected:
            return error(401, 20003, "Authenticate")
        media = re.fullmatch(rf"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/\w+/Media/(\w+)",
                             request.path)
        if media and request.method == "GET":
            # Twilio answers with a redirect to a short-lived signed URL on another host.
            location = f"http://localhost:{self.port}/storage/{media.group(1)}?X-Amz-Signature=x"
            return Answer(307, b"", "text/plain", {"Location": location})
        if request.path != f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json":
            return error(404, 20404, "The requested resource was not found")
        form = request.form()
        if not form.get("To"):
            return error(400, 21604, "A 'To' phone number is required.")
        if not (form.get("From") or form.get("MessagingServiceSid")):
            return error(400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required")
        if not re.fullmatch(r"(whatsapp:)?\+[1-9][0-9]{6,14}", form["To"]):
            return error(400, 21211, f"The 'To' number {form['To']} is not a valid phone number.")
        if not form.get("Body") and not form.get("MediaUrl") and not form.get("ContentSid"):
            return error(400, 21602, "Message body is required.")
        media_urls = request.form_lists().get("MediaUrl", [])
        if len(media_urls) > 10:
            return error(400, 21623, "Too many media URLs: at most 10.")
        for url in media_urls:
            if self.fetch(url).status != 200:
                return error(400, 11200, f"HTTP retrieval failure for {url}")
        sid = f"SM{next(self.sids):032x}"
        return as_json(201, {"sid": sid, "account_sid": ACCOUNT_SID, "to": form["To"],
                             "from": form.get("From"), "body": form.get("Body"),
                             "status": "queued", "api_version": "2010-04-01"})
