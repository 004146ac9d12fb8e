"""Real mail servers for tests: a throwaway Dovecot (IMAP), an aiosmtpd receiver (SMTP).

Importable, so that any test module (the e-mail channel's, the settings page's "test
connection", the end-to-end tests) can use them: `from omnicanal.testing.mail_servers
import dovecot, smtp_server` makes them fixtures there.

Dovecot runs from a config in a temporary directory on a free loopback port, as described in
/work/shared/notes/test-servers.md (root can run it with dovenull/dovecot as service users).
Tests that use it carry `@pytest.mark.xdist_group("dovecot")` so that one xdist worker owns it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import email.utils
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

SUPPORT_ADDRESS = "support@omnicanal.test"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def make_mail(
    *,
    sender: str = "Jeanne Martin <jeanne.martin@example.fr>",
    to: str = SUPPORT_ADDRESS,
    subject: str = "Ma commande 4471",
    body: str = "Bonjour, ma commande n'est pas arrivée.",
    message_id: str | None = "<mail-1@example.fr>",
    in_reply_to: str = "",
    references: str = "",
    headers: dict[str, str] | None = None,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = email.utils.formatdate(localtime=True)
    if message_id:
        message["Message-ID"] = message_id
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = references
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    return message.as_bytes()


# --- SMTP ----------------------------------------------------------------------------------


@dataclass
class SmtpRecorder:
    """An aiosmtpd handler keeping what it received; answers RCPT with queued replies."""

    port: int = 0
    messages: list[bytes] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    rcpt_replies: list[str] = field(default_factory=list)

    async def handle_RCPT(  # aiosmtpd's hook names
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.rcpt_replies:
            return self.rcpt_replies.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(bytes(envelope.original_content or envelope.content))
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


# The one login the SMTP receiver accepts (AUTH PLAIN/LOGIN, offered without TLS); sending
# without logging in is accepted too.
SMTP_USERNAME = "support"
SMTP_PASSWORD = "smtp-secret-42"  # noqa: S105 - the test server's own


def _smtp_authenticator(
    server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
) -> AuthResult:
    is_ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == SMTP_USERNAME.encode()
        and auth_data.password == SMTP_PASSWORD.encode()
    )
    return AuthResult(success=is_ok, handled=False)


@pytest.fixture
def smtp_server() -> Iterator[SmtpRecorder]:
    recorder = SmtpRecorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port(),
                            authenticator=_smtp_authenticator, auth_require_tls=False)
    controller.start()
    recorder.port = controller.port
    yield recorder
    controller.stop()


# --- Dovecot -------------------------------------------------------------------------------

DOVECOT_CONFIG = """\
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{base}/cert.pem
ssl_key = <{base}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login xoauth2 oauthbearer
# Failed logins are tested on purpose: no 2 s delay after each. (Dovecot's per-IP auth
# penalty still delays the next XOAUTH2 login after a failure by a few seconds.)
auth_failure_delay = 0
default_login_user = dovenull
default_internal_user = dovecot
first_valid_uid = 1
mail_location = maildir:~/Maildir
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {base}/passwd
}}
# XOAUTH2/OAUTHBEARER: the bearer token is checked against a local introspection stub.
# A wrong password for the passwd-file passdb falls through to this one, which rejects it too.
passdb {{
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {base}/dovecot-oauth2.conf.ext
}}
userdb {{
  driver = static
  args = uid=dovecot gid=dovecot home={base}/mail/%u
}}
"""


OAUTH2_CONFIG = """\
introspection_mode = post
introspection_url = http://127.0.0.1:{port}/introspect
username_attribute = username
active_attribute = active
active_value = true
"""

# The one access token the introspection stub accepts, for the Dovecot user "support".
OAUTH2_TOKEN = "ya29.test-access-token-7f3c"  # noqa: S105 - the test server's own


class _IntrospectionHandler(BaseHTTPRequestHandler):
    """RFC 7662 token introspection: `token=...` in a form body (POST) or the query (GET)."""

    def _answer(self, token: str) -> None:
        if token == OAUTH2_TOKEN:
            body: dict[str, Any] = {"active": True, "username": "support"}
        else:
            body = {"active": False}
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        self._answer((form.get("token") or [""])[0])

    def do_GET(self) -> None:
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        self._answer((query.get("token") or [""])[0])

    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass(frozen=True)
class Dovecot:
    host: str
    port: int
    tls_port: int
    username: str
    password: str
    # The self-signed certificate the server presents, for clients to trust.
    ca_file: str

    def settings(self, mailbox: str, security: str = "none") -> dict[str, Any]:
        return {
            "imap_host": self.host,
            "imap_port": self.tls_port if security == "ssl" else self.port,
            "imap_security": security,
            "imap_ca_file": self.ca_file,
            "imap_username": self.username,
            "imap_password": self.password,
            "imap_mailbox": mailbox,
        }


def _wait_for_banner(port: int, log: Path, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                if sock.recv(100).startswith(b"* OK"):
                    return
        except OSError:
            time.sleep(0.05)
    text = log.read_text() if log.exists() else "(no log)"
    raise RuntimeError(f"Dovecot did not start on port {port}:\n{text}")


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM when the parent process exits (Linux prctl)."""
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    libc.prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    binary = shutil.which("dovecot") or (
        "/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None
    )
    if binary is None or shutil.which("openssl") is None:
        pytest.skip(
            "SKIPPED LOUDLY: the `dovecot` (or `openssl`) binary is missing, so the IMAP "
            "tests cannot run against a real server. Install them with "
            "`apt-get install -y dovecot-imapd openssl`."
        )
    # Not under pytest's tmp_path: its parents are mode 700, and Dovecot's unprivileged
    # processes must reach the mail directory.
    base = Path(tempfile.mkdtemp(prefix="omnicanal-dovecot-"))
    base.chmod(0o755)
    port, tls_port = free_port(), free_port()
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
         "-keyout", str(base / "key.pem"), "-out", str(base / "cert.pem")],
        check=True, capture_output=True, timeout=60,
    )
    (base / "mail").mkdir()
    shutil.chown(base / "mail", "dovecot", "dovecot")
    (base / "passwd").write_text("support:{PLAIN}imap-secret-42\n")
    (base / "passwd").chmod(0o644)
    introspection = ThreadingHTTPServer(("127.0.0.1", 0), _IntrospectionHandler)
    threading.Thread(target=introspection.serve_forever, daemon=True).start()
    (base / "dovecot-oauth2.conf.ext").write_text(
        OAUTH2_CONFIG.format(port=introspection.server_address[1])
    )
    config = base / "dovecot.conf"
    config.write_text(DOVECOT_CONFIG.format(base=base, port=port, tls_port=tls_port))
    output = open(base / "start.log", "wb")  # noqa: SIM115 - closed in the finally below
    # In the foreground (-F) as our child, told to stop when this worker dies (even killed):
    # a test run that is interrupted leaves no IMAP server behind.
    server = subprocess.Popen(
        [binary, "-F", "-c", str(config)],
        stdout=output,
        stderr=output,
        preexec_fn=_die_with_parent,  # runs before exec; no threads are started yet
    )
    try:
        _wait_for_banner(port, base / "dovecot.log", time.monotonic() + 15)
        yield Dovecot(
            "127.0.0.1", port, tls_port, "support", "imap-secret-42", str(base / "cert.pem")
        )
    finally:
        introspection.shutdown()
        introspection.server_close()
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        output.close()
        shutil.rmtree(base, ignore_errors=True)
