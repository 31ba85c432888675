"""Alerts: a Slack-compatible webhook (`{"text": ...}` POSTed as JSON to ALERT_WEBHOOK_URL) told
when a run or an operation fails, and, with ALERT_ON_WARN=true, when a run ends with data-quality
warnings. The text is scrubbed of secrets; the webhook URL itself is a secret and never printed."""

from __future__ import annotations

import json
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path

import requests

from dlt_pipelines.common.secrets import scrub
from orchestration.config import Settings, dbt_target_dir

ATTEMPTS = 3
TIMEOUT_SECONDS = 10.0


def send_alert(settings: Settings, text: str, log: Callable[[str], None] | None = None,
               sleep: Callable[[float], None] = time.sleep) -> bool:
    """Post `text` to the webhook; True when it was accepted. Never raises: an alert that cannot be
    delivered is reported on stderr (without the URL) and must not hide the failure it reports."""
    log = log or (lambda line: print(line, file=sys.stderr, flush=True))
    url = settings.alert_webhook_url
    if not url:
        return False
    body = {"text": scrub(f"[{socket.gethostname()}] {text}", settings.secrets())}
    problem = ""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            response = requests.post(url, json=body, timeout=TIMEOUT_SECONDS)
        except requests.RequestException as exc:
            problem = type(exc).__name__  # its message would name the URL
        else:
            if response.status_code < 300:
                return True
            problem = f"HTTP {response.status_code}"
            if response.status_code < 500 and response.status_code != 429:
                break
        if attempt < ATTEMPTS:
            sleep(attempt)
    log(f"warning: the alert could not be delivered to ALERT_WEBHOOK_URL ({problem})")
    return False


def warned_tests(run_results: Path | None = None) -> list[str]:
    """Names of the dbt tests that ended in `warn` in the last dbt command."""
    run_results = run_results or dbt_target_dir() / "run_results.json"
    try:
        results = json.loads(run_results.read_text()).get("results", [])
    except (OSError, ValueError):
        return []
    return [str(r.get("unique_id", "?")) for r in results if r.get("status") == "warn"]
