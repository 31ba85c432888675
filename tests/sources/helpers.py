"""What the sandbox serves for each board (computed from its catalogue, never hard-coded), and
settings pointing every board at one sandbox."""

from __future__ import annotations

from datetime import datetime

from dlt_pipelines.job_boards.sandbox import boards
from dlt_pipelines.sandbox.config import SandboxConfig
from tests.conftest import make_settings

BOARDS = ("remotive", "arbeitnow", "adzuna")
REMOTIVE_CATEGORIES = ("software-dev", "data")
ADZUNA_COUNTRIES = ("us", "gb", "de")


def expected_ids(config: SandboxConfig, board: str, now: datetime) -> set[str]:
    """Job ids the source should load from a sandbox at `now` with the settings of `board_settings`."""
    at = int(now.timestamp())
    if board == "remotive":
        posts = [p for category in REMOTIVE_CATEGORIES
                 for p in boards.remotive_jobs(config, at, category, None, None)[0]]
    elif board == "arbeitnow":
        posts = list(boards.postings(config, "arbeitnow", at))
    else:
        posts = [p for country in ADZUNA_COUNTRIES for p in boards.adzuna_postings(config, at, country, None)]
    return {boards.job_id_of(p) for p in posts}


def board_settings(tmp_path, sandbox_url: str, now: datetime, **env: str):
    """Settings pointing each board at its fake API on the sandbox server at `sandbox_url` (its root)."""
    return make_settings(
        tmp_path,
        REMOTIVE_BASE_URL=f"{sandbox_url}/remotive", ARBEITNOW_BASE_URL=f"{sandbox_url}/arbeitnow",
        ADZUNA_BASE_URL=f"{sandbox_url}/adzuna",
        ELT_AS_OF=now.isoformat(), REMOTIVE_CATEGORIES=",".join(REMOTIVE_CATEGORIES),
        ADZUNA_COUNTRIES=",".join(ADZUNA_COUNTRIES), ADZUNA_WHAT=env.pop("ADZUNA_WHAT", "data engineer"),
        REMOTIVE_MAX_CALLS_PER_DAY=env.pop("REMOTIVE_MAX_CALLS_PER_DAY", "0"),
        ARBEITNOW_RATE_LIMIT_PER_MIN="0", ADZUNA_RATE_LIMIT_PER_MIN="0",
        HTTP_BACKOFF_MAX_SECONDS=env.pop("HTTP_BACKOFF_MAX_SECONDS", "0.05"), **env,
    )
