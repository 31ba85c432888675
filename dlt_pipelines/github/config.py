"""Settings of the GitHub source, read from the environment (dlt_pipelines/github/README.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from dlt_pipelines.common.env import ConfigError, Env, flag, items, number, text, whole
from dlt_pipelines.github import settings

# GitHub logins: letters, digits and single inner hyphens, at most 39 characters
_LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")


def _logins(raw: tuple[str, ...], where: str) -> tuple[str, ...]:
    bad = [login for login in raw if not _LOGIN.match(login)]
    if bad:
        raise ConfigError(f"{where}: not GitHub logins: {', '.join(map(repr, bad[:5]))}")
    return tuple(dict.fromkeys(raw))  # the first of duplicates, in order


def _users_file(env: Env) -> tuple[str, ...]:
    path = text(env, "GITHUB_USERS_FILE")
    if path is None:
        return ()
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as problem:
        raise ConfigError(f"GITHUB_USERS_FILE={path!r} cannot be read ({problem.strerror})") from None
    found = tuple(line.split("#", 1)[0].strip() for line in lines)
    return _logins(tuple(login for login in found if login), f"GITHUB_USERS_FILE {path}")


@dataclass(frozen=True)
class GitHubConfig:
    token: str | None = None  # GITHUB_TOKEN (secret), sent as a Bearer token; optional (60 requests an hour without)
    base_url: str | None = None  # GITHUB_BASE_URL: the real API (the default with a token) or another server
    users: tuple[str, ...] = ()  # GITHUB_USERS (comma-separated logins) then GITHUB_USERS_FILE (one a line)
    batch_size: int = settings.BATCH_SIZE  # GITHUB_BATCH_SIZE: profiles refreshed per run, the stalest first
    per_page: int = settings.PER_PAGE  # GITHUB_PER_PAGE: repos per page (1..100)
    rate_limit_per_min: float = 0.0  # GITHUB_RATE_LIMIT_PER_MIN: client-side spacing (0 = none; the headers rule)
    live: bool = False  # GITHUB_LIVE=true: the real API without a token (60 requests an hour)

    @classmethod
    def from_env(cls, env: Env) -> GitHubConfig:
        token, base_url = text(env, "GITHUB_TOKEN"), text(env, "GITHUB_BASE_URL")
        if base_url and not base_url.startswith(("http://", "https://")):
            raise ConfigError(f"GITHUB_BASE_URL must be an http(s) URL, got {base_url!r}")
        users = _logins(items(env, "GITHUB_USERS", "", ","), "GITHUB_USERS") + _users_file(env)
        per_page = whole(env, "GITHUB_PER_PAGE", settings.PER_PAGE, minimum=1)
        if per_page > settings.PER_PAGE:
            raise ConfigError(f"GITHUB_PER_PAGE must be at most {settings.PER_PAGE}, got {per_page}")
        live = flag(env, "GITHUB_LIVE", False)
        return cls(
            token=token,
            base_url=base_url.rstrip("/") if base_url else None,
            users=tuple(dict.fromkeys(users)),
            batch_size=whole(env, "GITHUB_BATCH_SIZE", settings.BATCH_SIZE, minimum=1),
            per_page=per_page,
            rate_limit_per_min=number(env, "GITHUB_RATE_LIMIT_PER_MIN", 0.0),
            live=live,
        )

    def uses_sandbox(self) -> bool:
        return self.token is None and self.base_url is None and not self.live

    def secrets(self) -> tuple[str, ...]:
        return (self.token,) if self.token else ()
