"""Helpers for the operations tests: make targets and the CLI as subprocesses, a webhook receiver
on loopback, database URLs carrying a password (the test servers trust local connections, so the
password is never checked, but it must never be printed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, urlunsplit

import pytest

from orchestration.config import REPO_ROOT

PASSWORD = "pw-Sup3rSecret"
API_KEY = "rk-TopSecretKey-123"
HOOK_TOKEN = "T000/B000/hookSecretToken"


def with_password(url: str, password: str = PASSWORD) -> str:
    parts = urlsplit(url)
    user = parts.username or "postgres"
    host = parts.hostname + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=f"{user}:{password}@{host}"))


def clean_env(**overrides: str) -> dict[str, str]:
    """The caller's environment without the project's settings, plus `overrides`."""
    prefixes = ("WAREHOUSE_", "RAPIDAPI_", "JSEARCH_", "ELT_", "ALERT_", "BACKUP_", "SANDBOX_", "HTTP_",
                "GITHUB_STEP_SUMMARY", "LOCAL_WAREHOUSE_DIR")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes) or k == "ELT_ELEMENTARY"}
    env.update(overrides)
    return env


def make(target: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    """`make <target> [VAR=value ...]` as a user would type it, with `env` as the settings."""
    return subprocess.run(["make", "--no-print-directory", target, *args], cwd=REPO_ROOT, env=clean_env(**env),
                          capture_output=True, text=True, timeout=600)


def cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "orchestration", *args], cwd=REPO_ROOT, env=clean_env(**env),
                          capture_output=True, text=True, timeout=600)


class Receiver:
    """A Slack-style incoming webhook on loopback that records what it is sent."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.requests: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.requests.append({"path": self.path, "content_type": self.headers.get("Content-Type"),
                                          "body": body.decode()})
                self.send_response(receiver.status)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/services/{HOOK_TOKEN}"

    def texts(self) -> list[str]:
        return [json.loads(r["body"])["text"] for r in self.requests]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    hook = Receiver()
    yield hook
    hook.close()
