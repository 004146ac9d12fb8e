"""How fast the running demo assigns and delivers, measured from the outside as a user sees it.

Usage (from the repository root):
    .venv/bin/python bench/demo_latency.py [--trials 6] [--scale 0.05]

Starts `omnicanal demo` (a fresh data directory, a free port), then:
- routing on arrival: agents log in over HTTP and go online (POST /presence/); a customer
  texts the SMS inbox (a signed Twilio webhook, POST /webhooks/twilio/<id>/); measured: from
  the webhook's request to the conversation having an assignee;
- routing on presence: a customer texts while nobody is online; an agent goes online;
  measured: from the presence request to the assignment;
- delivery: an agent replies (the reply action, as the composer calls it); measured: until the
  message is "sent" and until it is "delivered" (the worker sends it to the Twilio stand-in,
  which calls back). This one includes the stand-in's deliberate 1 s before its callback.

The database is read directly (the demo's SQLite file) every 10 ms, through Django's ORM in
this process. Measured on this machine (2 cores shared with other work, SQLite, scale 0.05,
6 trials), December 2026: assigned after an agent went online 157-245 ms; after a customer's
SMS median 189-248 ms, max 366 ms; reply sent median 111-248 ms (the worker polls every
0.2 s); reply delivered median ~1.55 s (1 s of it is the stand-in's wait before its callback).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

AGENTS = ("julien.moreau@example.com", "camille.bernard@example.com", "lea.petit@example.com")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Browser:
    """A logged-in session over plain HTTP (cookies and the CSRF token)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def csrf(self) -> str:
        return next(c.value or "" for c in self.jar if c.name == "csrftoken")

    def post(self, path: str, fields: dict[str, str]) -> int:
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": self.csrf(), **fields}).encode()
        request = urllib.request.Request(self.base + path, data=body,
                                         headers={"Referer": self.base + path})
        with self.opener.open(request, timeout=10) as response:
            return int(response.status)

    def log_in(self, email: str, password: str) -> None:
        self.opener.open(self.base + "/login/", timeout=10).read()
        self.post("/login/", {"username": email, "password": password})


def text_the_sms_inbox(base: str, inbox_id: int, number: str, sid: str) -> None:
    from omnicanal.demo import sinks
    from omnicanal.demo.views import twilio_signature

    url = f"{base}/webhooks/twilio/{inbox_id}/"
    params = {"AccountSid": sinks.TWILIO_ACCOUNT_SID, "MessageSid": sid, "SmsSid": sid,
              "From": number, "To": "+33700000000", "Body": "Bonjour, une question svp",
              "NumMedia": "0", "SmsStatus": "received", "ApiVersion": "2010-04-01"}
    request = urllib.request.Request(
        url, data=urllib.parse.urlencode(params).encode(),
        headers={"X-Twilio-Signature": twilio_signature(url, params, sinks.twilio_auth_token()),
                 "Content-Type": "application/x-www-form-urlencoded"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status < 300, response.status


def wait_until(check: object, timeout: float = 15.0) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if check():  # type: ignore[operator]
            return time.monotonic() - started
        time.sleep(0.01)
    raise TimeoutError("nothing happened in time")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=6)
    parser.add_argument("--scale", type=float, default=0.05)
    options = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="omnicanal-demo-bench-"))
    os.environ["OMNICANAL_DATA_DIR"] = str(data_dir)
    os.environ.pop("DATABASE_URL", None)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = (data_dir / "demo.log").open("wb")
    demo = subprocess.Popen(
        [sys.executable, "-m", "omnicanal.manage", "demo", "--port", str(port),
         "--scale", str(options.scale)],
        env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120
        while "Uvicorn running" not in (data_dir / "demo.log").read_text():
            if demo.poll() is not None or time.monotonic() > deadline:
                raise SystemExit((data_dir / "demo.log").read_text())
            time.sleep(0.2)
        run(base, data_dir, options.trials)
    finally:
        demo.send_signal(signal.SIGINT)
        demo.wait(timeout=30)


def run(base: str, data_dir: Path, trials: int) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnicanal.settings")
    django.setup()
    from omnicanal.conversations.actions import reply, set_status
    from omnicanal.conversations.models import Conversation, Inbox, Message, Status

    password = (data_dir / "demo_password").read_text().strip()
    inbox = Inbox.objects.get(channel="sms")
    counter = iter(range(10**6))

    def arrive() -> int:
        n = next(counter)
        sid = f"SM{n:032x}"
        text_the_sms_inbox(base, inbox.pk, f"+3361{n:07d}", sid)
        return Message.objects.get(inbox=inbox, external_id=sid).conversation_id

    def assigned(conversation_id: int) -> bool:
        return Conversation.objects.filter(pk=conversation_id, assignee__isnull=False).exists()

    # Routing on presence: a customer waits, then an agent comes online.
    first = arrive()
    agent = Browser(base)
    agent.log_in(AGENTS[0], password)
    started = time.monotonic()
    agent.post("/presence/", {"presence": "online"})
    wait_until(lambda: assigned(first))
    on_presence = time.monotonic() - started

    browsers = [agent]
    for email in AGENTS[1:]:
        browser = Browser(base)
        browser.log_in(email, password)
        browser.post("/presence/", {"presence": "online"})
        browsers.append(browser)

    # Routing on arrival, agents online; each assigned conversation is resolved, so that the
    # agents' slots stay free.
    on_arrival: list[float] = []
    delivered: list[float] = []
    sent: list[float] = []
    for _ in range(trials):
        started = time.monotonic()
        conversation_id = arrive()
        wait_until(lambda conversation_id=conversation_id: assigned(conversation_id))
        on_arrival.append(time.monotonic() - started)
        conversation = Conversation.objects.select_related("assignee").get(pk=conversation_id)
        assignee = conversation.assignee
        assert assignee is not None
        started = time.monotonic()
        message = reply(assignee, conversation_id, "Bonjour, voici la réponse.")
        sent.append(wait_until(lambda m=message.pk: Message.objects.filter(
            pk=m, delivery_status__in=("sent", "delivered")).exists()))
        wait_until(lambda m=message.pk: Message.objects.filter(
            pk=m, delivery_status="delivered").exists())
        delivered.append(time.monotonic() - started)
        set_status(assignee, conversation_id, Status.RESOLVED)

    def describe(values: list[float]) -> str:
        return (f"median {statistics.median(values) * 1000:.0f} ms, "
                f"max {max(values) * 1000:.0f} ms (n={len(values)})")

    print(f"assigned after an agent went online: {on_presence * 1000:.0f} ms")
    print(f"assigned after a customer's SMS (webhook to assignee): {describe(on_arrival)}")
    print(f"reply sent (worker picked it up and the stand-in answered): {describe(sent)}")
    print(f"reply delivered (includes the stand-in's 1 s before its callback): "
          f"{describe(delivered)}")


if __name__ == "__main__":
    main()
