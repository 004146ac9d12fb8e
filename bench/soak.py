"""Soak: customers' messages and agents' replies under SIGKILLs of the web and worker
processes, then a count of what was lost or doubled.

Usage (from the repository root; PostgreSQL, the database in DATABASE_URL is dropped and
created):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/omnicanal_soak \\
        .venv/bin/python bench/soak.py [--inbound 3000] [--replies 500] [--kills 3]

What runs: `omnicanal serve --no-worker` (web + periodic scheduler, `--web` processes on
consecutive ports) and `omnicanal db_worker`, each in its own process group. Client threads
send the inbound messages (a third each through the API, the web chat's HTTP endpoint and
raw e-mail), then the agents' replies (half through the workspace's reply form, half through
the API, on conversations of the API inbox). Every client retries a request that got no
answer or a 5xx with the same ids: the same external id / client id / Message-ID, the same
form token / Idempotency-Key. `--kills` times, at a random moment of the load, one of the
processes is SIGKILLed (its whole group) and started again. A webhook receiver stands for
the API inbox's system: it checks the signature and counts deliveries by Idempotency-Key.

Then, once the outbox and the sends are drained (or `--drain-timeout` passed), the checks:
every acknowledged inbound message stored exactly once; every acknowledged reply stored once
and delivered (at least once to the receiver, which keeps the first of each key) or shown
failed; 0 events unprocessed; 0 handler runs retrying or failed (none lost). Exit status 1
when a check fails. Short timeouts for the claims and the sweep are set in the processes'
environment so that a killed send is taken over within the run.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import hmac
import http.client
import itertools
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OMNICANAL = [sys.executable, "-m", "omnicanal.manage"]
PASSWORD = "soak-password-123"  # a throw-away database's agents
ORIGIN = "https://shop.example"
HEALTH_TOKEN = "soak-health"


def log(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


# --- the database and the processes ------------------------------------------------------


def prepare_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


class Process:
    """One server process, in its own process group so that a SIGKILL takes its children."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], log_dir: Path) -> None:
        self.name, self.args, self.env = name, args, env
        self.log_path = log_dir / f"{name}.log"
        self.popen: subprocess.Popen[bytes] | None = None
        self.kills = 0

    def start(self) -> None:
        output = self.log_path.open("ab")
        self.popen = subprocess.Popen(
            self.args, env=self.env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        assert self.popen is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait()
        self.kills += 1

    def stop(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


# --- HTTP clients that retry ---------------------------------------------------------------


class Http:
    """A small client bound to one source address (127.0.0.x: each chat visitor group gets its
    own, as behind different networks, so the widget's per-address limit is per group)."""

    def __init__(self, ports: list[int], source: str = "127.0.0.1") -> None:
        self.ports, self.source = ports, source
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        port = random.choice(self.ports)
        connection = http.client.HTTPConnection(
            "127.0.0.1", port, timeout=30, source_address=(self.source, 0)
        )
        all_headers = {"Host": "127.0.0.1", **(headers or {})}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            connection.request(method, path, body=body, headers=all_headers)
            response = connection.getresponse()
            data = response.read()
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name] = rest.split(";", 1)[0]
            return response.status, {k.lower(): v for k, v in response.getheaders()}, data
        finally:
            connection.close()

    def until_answered(
        self, method: str, path: str, body: bytes | None, headers: dict[str, str],
        *, deadline: float, on_retry: Callable[[], None] | None = None,
    ) -> tuple[int, dict[str, str], bytes] | None:
        """The same request until it gets a final answer (not a 5xx, 429 or a dropped
        connection), or None at the deadline: then it counts as not acknowledged."""
        delay = 0.2
        while time.monotonic() < deadline:
            try:
                status, response_headers, data = self.request(method, path, body, headers)
            except (OSError, http.client.HTTPException):
                status = 0
            if status and status < 500 and status != 429:
                return status, response_headers, data
            if on_retry:
                on_retry()
            time.sleep(delay)
            delay = min(delay * 2, 3.0)
        return None


# --- the receiver of the API inbox's webhook -----------------------------------------------


class Receiver:
    def __init__(self, secret_holder: dict[str, str]) -> None:
        self.by_key: Counter[str] = Counter()
        self.bad_signatures = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                digest = hmac.new(
                    secret_holder["secret"].encode(),
                    self.headers["X-Omnicanal-Timestamp"].encode() + b"." + body,
                    hashlib.sha256,
                ).hexdigest()
                with receiver.lock:
                    if not hmac.compare_digest(
                        "sha256=" + digest, self.headers["X-Omnicanal-Signature"]
                    ):
                        receiver.bad_signatures += 1
                    receiver.by_key[self.headers.get("Idempotency-Key", "")] += 1
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


# --- the load --------------------------------------------------------------------------------


def raw_email(n: int) -> tuple[str, bytes]:
    message = EmailMessage()
    message_id = make_msgid(f"soak{n}", domain="client.example")
    message["Message-ID"] = message_id
    message["From"] = f"Client Mail {n % 300} <mail{n % 300}@client.example>"
    message["To"] = "support@helpdesk.example"
    message["Subject"] = f"Question {n}"
    message["Date"] = format_datetime(time_now())
    message.set_content(f"Bonjour, question numéro {n} par e-mail.")
    return message_id, bytes(message)


def time_now() -> Any:
    import datetime as dt

    return dt.datetime.now(dt.UTC)


class Load:
    def __init__(self, ports: list[int], ids: dict[str, Any], deadline: float) -> None:
        self.ports, self.ids, self.deadline = ports, ids, deadline
        self.acked: dict[str, list[str]] = {"api": [], "chat": [], "email": []}
        self.api_conversations: list[int] = []
        self.replies_acked: list[dict[str, Any]] = []
        self.retries = Counter[str]()
        # Final answers that were not an acknowledgement, by kind and status: a refusal the
        # soak does not expect (the first body of each is kept to say why).
        self.refused: Counter[str] = Counter()
        self.refusal_examples: dict[str, str] = {}
        self.lock = threading.Lock()

    def refusal(self, kind: str, answer: tuple[int, dict[str, str], bytes] | None) -> None:
        label = f"{kind} {answer[0] if answer else 'no answer'}"
        with self.lock:
            self.refused[label] += 1
            if answer:
                self.refusal_examples.setdefault(label, answer[2][:300].decode("utf-8", "replace"))

    def retried(self, kind: str) -> Callable[[], None]:
        def count() -> None:
            with self.lock:
                self.retries[kind] += 1

        return count

    def api_message(self, client: Http, n: int) -> None:
        external_id = f"soak-api-{n}"
        body = json.dumps({
            "external_id": external_id,
            "contact": {"name": f"Client {n % 500}", "email": f"client{n % 500}@example.fr"},
            "text": f"Bonjour, message {n} au sujet de ma commande.",
        }).encode()
        answer = client.until_answered(
            "POST", f"/api/v1/inboxes/{self.ids['api_inbox']}/messages", body,
            {"Content-Type": "application/json", **self.ids["admin_auth"]},
            deadline=self.deadline, on_retry=self.retried("api"),
        )
        if answer and answer[0] in (200, 201):
            with self.lock:
                self.acked["api"].append(external_id)
                self.api_conversations.append(json.loads(answer[2])["conversation_id"])
        else:
            self.refusal("api", answer)

    def chat_message(self, client: Http, n: int) -> None:
        visitor, client_id = f"soak-visitor-{n % 200:08d}", f"soakmsg-{n:08d}"
        body = json.dumps({"visitor_id": visitor, "client_id": client_id,
                           "text": f"Bonjour, message de chat {n}."}).encode()
        answer = client.until_answered(
            "POST", f"/webchat/{self.ids['site_token']}/messages", body,
            {"Content-Type": "application/json", "Origin": ORIGIN},
            deadline=self.deadline, on_retry=self.retried("chat"),
        )
        if answer and answer[0] in (200, 201):
            with self.lock:
                self.acked["chat"].append(f"{visitor}:{client_id}")
        else:
            self.refusal("chat", answer)

    def email_message(self, client: Http, n: int) -> None:
        message_id, raw = raw_email(n)
        answer = client.until_answered(
            "POST", f"/api/v1/inboxes/{self.ids['email_inbox']}/email", raw,
            {"Content-Type": "message/rfc822", **self.ids["admin_auth"]},
            deadline=self.deadline, on_retry=self.retried("email"),
        )
        if answer and answer[0] in (200, 201):
            with self.lock:
                self.acked["email"].append(message_id)
        else:
            self.refusal("email", answer)

    def api_reply(self, client: Http, n: int, conversation_id: int, agent: dict[str, Any]) -> None:
        text = f"Réponse soak {n} par l'API."
        key = f"soak-reply-{n}"
        answer = client.until_answered(
            "POST", f"/api/v1/conversations/{conversation_id}/messages",
            json.dumps({"text": text}).encode(),
            {"Content-Type": "application/json", "Idempotency-Key": key, **agent["auth"]},
            deadline=self.deadline, on_retry=self.retried("api_reply"),
        )
        if answer and answer[0] == 201:
            with self.lock:
                self.replies_acked.append({"text": text, "id": json.loads(answer[2])["id"]})
        else:
            self.refusal("api_reply", answer)

    def web_reply(self, client: Http, n: int, conversation_id: int) -> None:
        text = f"Réponse soak {n} par le poste de travail."
        page = client.until_answered("GET", f"/conversations/{conversation_id}/", None, {},
                                     deadline=self.deadline)
        if page is None or page[0] != 200:
            return
        html = page[2].decode()
        token = _input_value(html, "reply-form", "idempotency_key")
        csrf = client.cookies.get("csrftoken", "")
        form = urllib.parse.urlencode(
            {"text": text, "idempotency_key": token, "csrfmiddlewaretoken": csrf}
        ).encode()
        answer = client.until_answered(
            "POST", f"/conversations/{conversation_id}/reply/", form,
            {"Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": csrf,
             "Referer": f"http://127.0.0.1:{self.ports[0]}/"},
            deadline=self.deadline, on_retry=self.retried("web_reply"),
        )
        if answer and answer[0] == 302:
            with self.lock:
                self.replies_acked.append({"text": text, "id": None})
        else:
            self.refusal("web_reply", answer)


def _input_value(html: str, form_class: str, name: str) -> str:
    form = html.split(f'<form class="{form_class}"', 1)[1].split("</form>", 1)[0]
    return form.split(f'name="{name}" value="', 1)[1].split('"', 1)[0]


def web_login(client: Http, agent: dict[str, Any], deadline: float) -> None:
    client.until_answered("GET", "/login/", None, {}, deadline=deadline)
    csrf = client.cookies.get("csrftoken", "")
    form = urllib.parse.urlencode({"username": agent["email"], "password": PASSWORD,
                                   "csrfmiddlewaretoken": csrf}).encode()
    answer = client.until_answered(
        "POST", "/login/", form,
        {"Content-Type": "application/x-www-form-urlencoded",
         "Referer": f"http://127.0.0.1:{client.ports[0]}/login/"},
        deadline=deadline,
    )
    assert answer is not None and answer[0] == 302, "the agent could not log in"


def run_pool(jobs: list[Callable[[], None]], threads: int, progress: dict[str, int]) -> None:
    queue: Iterator[Callable[[], None]] = iter(jobs)
    lock = threading.Lock()

    def work() -> None:
        while True:
            with lock:
                job = next(queue, None)
            if job is None:
                return
            job()
            with lock:
                progress["done"] += 1

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()


# --- main ------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--inbound", type=int, default=3000)
    parser.add_argument("--replies", type=int, default=500)
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--web", type=int, default=1, help="web processes")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--port", type=int, default=8710)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--load-timeout", type=float, default=1800)
    parser.add_argument("--drain-timeout", type=float, default=420)
    args = parser.parse_args()
    random.seed(args.seed)

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (it is dropped and created).")
    prepare_database(url)
    data_dir = Path(tempfile.mkdtemp(prefix="omnicanal-soak-"))
    env = {
        **os.environ, "OMNICANAL_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT),
        "ALLOWED_HOSTS": "127.0.0.1,localhost", "HEALTH_TOKEN": HEALTH_TOKEN,
        # A killed worker's send is taken over within the run: claims expire after 30 s,
        # the sweep (every minute) takes over what is 20 s overdue.
        "SEND_CLAIM_SECONDS": "30", "SEND_STALLED_AFTER_SECONDS": "20",
        "SEND_RETRY_BASE_SECONDS": "2", "SEND_MAX_ATTEMPTS": "8",
        "OUTBOX_HANDLER_RETRY_BASE_SECONDS": "5", "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnicanal.settings")
    subprocess.run([*OMNICANAL, "migrate", "--verbosity", "0"], env=env, cwd=ROOT, check=True)

    import django

    django.setup()
    from omnicanal.accounts.actions import issue_token
    from omnicanal.accounts.models import Role, User
    from omnicanal.conversations.models import Inbox

    secret_holder: dict[str, str] = {}
    receiver = Receiver(secret_holder)
    admin = User.objects.create_user("admin@soak.example", PASSWORD, name="Admin",
                                     role=Role.ADMINISTRATOR)
    agents = []
    for n in range(4):
        user = User.objects.create_user(f"agent{n}@soak.example", PASSWORD, name=f"Agent {n}")
        agents.append({"email": user.email,
                       "auth": {"Authorization": f"Bearer {issue_token(user)}"}})
    api_inbox = Inbox.objects.create(name="API", channel="api",
                                     settings={"webhook_url": receiver.url})
    secret_holder["secret"] = api_inbox.secret
    email_inbox = Inbox.objects.create(name="Mail", channel="email",
                                       settings={"from_address": "support@helpdesk.example"})
    chat_inbox = Inbox.objects.create(
        name="Chat", channel="webchat",
        settings={"site_token": "soak-site", "allowed_origins": [ORIGIN]},
    )
    ids = {
        "api_inbox": api_inbox.pk, "email_inbox": email_inbox.pk, "chat_inbox": chat_inbox.pk,
        "site_token": "soak-site",
        "admin_auth": {"Authorization": f"Bearer {issue_token(admin)}"},
    }
    from django.db import connection

    connection.close()

    ports = [args.port + n for n in range(args.web)]
    processes = [
        Process(f"web{n}", [*OMNICANAL, "serve", "--no-worker", "--port", str(port)], env,
                data_dir)
        for n, port in enumerate(ports)
    ]
    processes.append(Process(
        "worker", [*OMNICANAL, "db_worker", "--queue-name", "*", "--no-reload"], env, data_dir
    ))
    for process in processes:
        process.start()
    probe = Http(ports)
    ready_deadline = time.monotonic() + 60
    while probe.until_answered("GET", "/health/", None, {}, deadline=ready_deadline) is None:
        if time.monotonic() > ready_deadline:
            sys.exit("the web process did not start")
    log(f"processes up; data in {data_dir}")

    deadline = time.monotonic() + args.load_timeout
    load = Load(ports, ids, deadline)
    stop_killing = threading.Event()
    kill_log: list[str] = []

    progress = {"done": 0, "total": args.inbound + args.replies}

    def killer() -> None:
        # At random points of the load's progress (not of a guessed duration), so that the
        # kills fall in the inbound and the reply phases alike.
        # At least one kill in the reply phase, and the worker and a web process each
        # killed at least once when there are two kills or more.
        points = sorted(random.uniform(0.05, 0.95) for _ in range(args.kills))
        reply_phase = args.inbound / progress["total"]
        if args.replies and points and points[-1] < reply_phase:
            points[-1] = random.uniform(reply_phase + (1 - reply_phase) * 0.1, 0.98)
        victims = [processes[-1], random.choice(processes[:-1])]
        victims += [random.choice(processes) for _ in range(max(0, args.kills - 2))]
        random.shuffle(victims)
        started = time.monotonic()
        for point, victim in zip(points, victims, strict=False):
            while progress["done"] < point * progress["total"]:
                if stop_killing.wait(0.05):
                    return
            victim.kill()
            kill_log.append(f"{victim.name} at {time.monotonic() - started:.0f}s "
                            f"({progress['done']}/{progress['total']} requests)")
            log(f"SIGKILL {victim.name}")
            time.sleep(random.uniform(0.5, 2.0))
            victim.start()

    # Inbound first (replies need conversations), then replies; the kills spread over both.
    sources = itertools.cycle([f"127.0.1.{n}" for n in range(1, 60)])
    inbound_jobs: list[Callable[[], None]] = []
    for n in range(args.inbound):
        kind = ("api", "chat", "email")[n % 3]
        client = Http(ports, next(sources) if kind == "chat" else "127.0.0.1")
        if kind == "api":
            inbound_jobs.append(lambda c=client, n=n: load.api_message(c, n))
        elif kind == "chat":
            inbound_jobs.append(lambda c=client, n=n: load.chat_message(c, n))
        else:
            inbound_jobs.append(lambda c=client, n=n: load.email_message(c, n))
    random.shuffle(inbound_jobs)
    kill_thread = threading.Thread(target=killer, daemon=True)
    kill_thread.start()
    started = time.monotonic()
    run_pool(inbound_jobs, args.threads, progress)
    log(f"inbound done in {time.monotonic() - started:.0f}s: "
        f"{ {k: len(v) for k, v in load.acked.items()} }")

    web_clients = []
    for agent in agents[:2]:
        client = Http(ports)
        web_login(client, agent, deadline)
        web_clients.append(client)
    conversations = sorted(set(load.api_conversations))
    reply_jobs: list[Callable[[], None]] = []
    for n in range(args.replies):
        conversation_id = conversations[n % len(conversations)]
        if n % 2:
            agent = agents[2 + n % 2]
            reply_jobs.append(lambda n=n, c=conversation_id, a=agent:
                              load.api_reply(Http(ports), n, c, a))
        else:
            client = web_clients[n % len(web_clients)]
            reply_jobs.append(lambda n=n, c=conversation_id, cl=client:
                              load.web_reply(cl, n, c))
    run_pool(reply_jobs, args.threads, progress)
    kill_thread.join(timeout=600)
    stop_killing.set()
    log(f"replies done at {time.monotonic() - started:.0f}s: {len(load.replies_acked)} "
        f"acknowledged; kills: {kill_log}")

    # Drain: the outbox, the retries and the sends, as the health endpoint counts them.
    drain_deadline = time.monotonic() + args.drain_timeout
    health: dict[str, Any] = {}
    while time.monotonic() < drain_deadline:
        answer = probe.until_answered(
            "GET", "/health/", None, {"Authorization": f"Bearer {HEALTH_TOKEN}"},
            deadline=drain_deadline,
        )
        if answer:
            health = json.loads(answer[2])
            if not (health.get("events_pending") or health.get("sends_pending")
                    or health.get("handler_runs_retrying")):
                break
        time.sleep(5)
    log(f"drained at {time.monotonic() - started:.0f}s: {health}")
    for process in processes:
        process.stop()

    return check(load, receiver, api_inbox.pk, chat_inbox.pk, email_inbox.pk, kill_log,
                 time.monotonic() - started)


def check(
    load: Load, receiver: Receiver, api_inbox: int, chat_inbox: int, email_inbox: int,
    kill_log: list[str], seconds: float,
) -> int:
    from django.db.models import Count
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from omnicanal.conversations.models import (
        DeliveryStatus,
        Direction,
        HandlerRun,
        HandlerRunStatus,
        Message,
        OutboxEvent,
    )

    def stored(inbox_id: int, external_ids: list[str]) -> Counter[int]:
        counts = dict(
            Message.objects.filter(inbox_id=inbox_id, external_id__in=external_ids)
            .values_list("external_id").annotate(n=Count("id")).values_list("external_id", "n")
        )
        return Counter(counts.get(external_id, 0) for external_id in external_ids)

    inbound = {
        "api": stored(api_inbox, load.acked["api"]),
        "chat": stored(chat_inbox, load.acked["chat"]),
        "email": stored(email_inbox, load.acked["email"]),
    }
    inbound_wrong = sum(n for counts in inbound.values() for times, n in counts.items()
                        if times != 1)
    replies_wrong, delivered, failed, duplicates_at_receiver = 0, 0, 0, 0
    for acked in load.replies_acked:
        rows = list(Message.objects.filter(direction=Direction.OUTGOING, text=acked["text"])
                    .values_list("pk", "delivery_status"))
        if len(rows) != 1:
            replies_wrong += 1
            continue
        pk, status = rows[0]
        received = receiver.by_key[f"omnicanal-message-{pk}"]
        duplicates_at_receiver += max(0, received - 1)
        if received >= 1 and status in (DeliveryStatus.SENT, DeliveryStatus.DELIVERED):
            delivered += 1
        elif status == DeliveryStatus.FAILED:
            failed += 1
        else:
            replies_wrong += 1
    unprocessed = OutboxEvent.objects.filter(processed_at__isnull=True).count()
    runs = Counter(HandlerRun.objects.values_list("status", flat=True))
    report = {
        "seconds": round(seconds),
        "kills": kill_log,
        "client_retries": dict(load.retries),
        "refused": dict(load.refused),
        "refusal_examples": load.refusal_examples,
        "inbound_acknowledged": {k: len(v) for k, v in load.acked.items()},
        "inbound_stored_not_exactly_once": inbound_wrong,
        "replies_acknowledged": len(load.replies_acked),
        "replies_delivered": delivered,
        "replies_shown_failed": failed,
        "replies_lost_or_doubled": replies_wrong,
        "receiver_duplicate_deliveries_dropped_by_key": duplicates_at_receiver,
        "receiver_bad_signatures": receiver.bad_signatures,
        "events_unprocessed": unprocessed,
        "handler_runs": dict(runs),
        "tasks_left_running": DBTaskResult.objects.filter(
            status=TaskResultStatus.RUNNING).count(),
    }
    print(json.dumps(report, indent=2))
    is_ok = (
        inbound_wrong == 0 and replies_wrong == 0 and unprocessed == 0
        and not runs.get(HandlerRunStatus.RETRYING) and not runs.get(HandlerRunStatus.FAILED)
        and receiver.bad_signatures == 0
    )
    log("PASS" if is_ok else "FAIL")
    return 0 if is_ok else 1


if __name__ == "__main__":
    sys.exit(main())
