"""Operations around the ELT: the run lock, the run ledger, per-stage timeouts and retries, alerts,
backups (dump, retention, restore, verification), the health check and the slim CI build.

Everything here reads its settings from `orchestration.config.Settings`; messages and alerts go
through `dlt_pipelines.common.secrets.scrub` so that keys, passwords and the webhook URL never reach a log.
"""

from __future__ import annotations

from datetime import datetime

from dlt_pipelines.common.secrets import ScrubbedError, scrub


class OpsError(ScrubbedError, RuntimeError):
    """An operation failed or was refused; the message says why and what to do (scrubbed of secrets)."""


def utc(moment: datetime) -> str:
    """A time as people read it in logs: 2026-03-01 02:00:00 UTC."""
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def append_step_summary(settings, title: str, lines: list[str]) -> None:
    """Add a section to the GitHub Actions run summary when running there (GITHUB_STEP_SUMMARY)."""
    path = settings.github_step_summary
    if path is None:
        return
    body = "\n".join(scrub(line, settings.secrets()) for line in lines)
    with open(path, "a", encoding="utf-8") as summary:
        summary.write(f"### {title}\n\n```\n{body}\n```\n\n")
