"""GitHub's deterministic fake REST API, mounted by the one sandbox server (dlt_pipelines/sandbox/
server.py) under `/github`: the source's runs without `GITHUB_TOKEN`.

`GET /users/{login}`, `/users/{login}/repos` (`per_page` up to 100, `page`, sorted by full name,
Link header with `rel="next"` and `rel="last"`, on the mount's base URL) and
`/repos/{owner}/{repo}/languages`, shaped like the real API. Ten profiles of different trades (data
engineer, frontend, ML, backend, DevOps, mobile, ...), one with 130 repos (two pages at 100), one
with none; forks and archived repos among them, a few empty repos without languages. Some repos are
pushed every 3 days on the server's clock (SANDBOX_NOW / ELT_AS_OF, moved by POST /_sandbox/clock):
their `pushed_at`, `updated_at` and language bytes move, so does their owner's `updated_at`.

Every answer has an ETag; a request whose `If-None-Match` matches gets a 304 without a body.
Primary rate limit per hour of the clock: `anonymous_limit` requests without a token, `token_limit`
with one (5,000; on the server both are 5,000 so a sandbox run is not throttled, tests lower
`anonymous_limit` to GitHub's 60 or less); 304s cost nothing when authorised. Each answer carries
`x-ratelimit-limit`, `-remaining`, `-used`, `-reset` (epoch seconds); a request over the limit gets
403 with remaining 0. Token `bad-token` gets 401. The server's faults (SANDBOX_FAULTS or
POST /_sandbox/faults, dlt_pipelines/sandbox/faults.py) apply, drawn with `ctx.decide()`:
`rate_limit` answers a secondary limit (403 or 429 with Retry-After), `server_error` 5xx, `slow`,
and `malformed` repo items. `GET /github/health` (the server's) answers 200.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlencode

import orjson

from dlt_pipelines.github import settings
from dlt_pipelines.sandbox.context import SandboxContext
from dlt_pipelines.sandbox.faults import (
    GARBAGE_TIMESTAMP,
    MALFORMED_GARBAGE_TIMESTAMP,
    MALFORMED_MISSING_JOB_ID,
    RequestFault,
    break_with,
    malformed_kind,
    server_error_body,
)
from dlt_pipelines.sandbox.hashing import stream_key, text_salt, unit

EPOCH = 1609459200  # 2021-01-01T00:00:00Z: the first repo is created after this
PUSH_EVERY = 3 * 86400  # an active repo is pushed this often on the clock
BAD_TOKEN = "bad-token"
JSON = {"Content-Type": "application/json; charset=utf-8"}  # GitHub's
# the API URLs inside items: fixed (not the server's port), so an item and its ETag are the same after a restart
ITEM_BASE = settings.REAL_BASE_URL
# trade -> (languages, weights), topics
PERSONAS: dict[str, tuple[tuple[tuple[str, int], ...], tuple[str, ...]]] = {
    "data": ((("Python", 9), ("PLpgSQL", 3), ("Scala", 2), ("Shell", 2), ("HCL", 1)),
             ("dbt", "airflow", "apache-spark", "kafka", "data-engineering", "etl", "postgresql", "docker")),
    "frontend": ((("TypeScript", 9), ("JavaScript", 6), ("CSS", 3), ("HTML", 2), ("Vue", 2)),
                 ("react", "nextjs", "tailwindcss", "graphql", "webpack", "frontend")),
    "ml": ((("Python", 9), ("Jupyter Notebook", 5), ("C++", 2), ("Cuda", 1)),
           ("machine-learning", "pytorch", "tensorflow", "deep-learning", "nlp", "scikit-learn")),
    "backend": ((("Java", 8), ("Kotlin", 4), ("Go", 3), ("Dockerfile", 1)),
                ("spring-boot", "microservices", "kubernetes", "docker", "rest-api", "postgresql")),
    "devops": ((("Go", 6), ("HCL", 5), ("Shell", 4), ("Python", 3), ("Dockerfile", 2)),
               ("terraform", "kubernetes", "aws", "ci-cd", "ansible", "helm")),
    "mobile": ((("Swift", 7), ("Kotlin", 6), ("Dart", 3), ("Objective-C", 1)),
               ("ios", "android", "flutter", "swiftui")),
}
# login, id, name, trade, repos, location, company
USERS = (
    ("ada-data", 5001, "Ada Lindqvist", "data", 12, "Stockholm, Sweden", "Nordic Analytics"),
    ("brook-frontend", 5002, "Brook Mensah", "frontend", 9, "London, UK", None),
    ("chen-ml", 5003, "Chen Wei", "ml", 14, "San Francisco, CA", "@deeplab"),
    ("dario-backend", 5004, "Dario Rossi", "backend", 7, "Berlin, Germany", "Rossi Systems"),
    ("emma-ops", 5005, "Emma Novak", "devops", 11, "Austin, TX", None),
    ("farah-mobile", 5006, "Farah Haddad", "mobile", 6, "Toronto, Canada", "AppWorks"),
    ("gus-polyglot", 5007, "Gus Okafor", "data", 130, "Lagos, Nigeria", None),
    ("hana-new", 5008, "Hana Sato", "frontend", 0, "Tokyo, Japan", None),
    ("ivan-ml", 5009, "Ivan Petrov", "ml", 5, None, None),
    ("jo-fullstack", 5010, "Jo Alvarez", "frontend", 8, "Madrid, Spain", "Freelance"),
)
LOGINS = tuple(user[0] for user in USERS)
_FORK, _ARCHIVED, _EMPTY, _ACTIVE, _LANG, _TOPIC, _AGE, _FAULTS = (
    text_salt(f"github.{name}") for name in ("fork", "archived", "empty", "active", "lang", "topic", "age", "faults"))


def _iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _pick(seed: int, salt: int, index: int) -> float:
    return unit(stream_key(seed, salt), index)


@dataclass(frozen=True)
class Repo:
    repo_id: int
    owner: str
    owner_id: int
    name: str
    trade: str
    is_fork: bool
    is_archived: bool
    is_empty: bool
    is_active: bool
    created: int

    def pushed(self, now: int) -> int:
        if not self.is_active:
            return self.created + 86400 * 30
        return max(self.created, (now // PUSH_EVERY) * PUSH_EVERY)

    def languages(self, seed: int, now: int) -> dict[str, int]:
        if self.is_empty:
            return {}
        pool = PERSONAS[self.trade][0]
        growth = 1.0 + (0.01 * (self.pushed(now) - self.created) / PUSH_EVERY if self.is_active else 0.0)
        found: dict[str, int] = {}
        for place, (language, weight) in enumerate(pool):
            draw = _pick(seed, _LANG, self.repo_id * 16 + place)
            if place == 0 and draw < 0.75 or place > 0 and draw < weight / 12:
                found[language] = int((2000 + draw * 50_000) * weight * growth)
        return found or {pool[0][0]: 4096}


def repos_of(seed: int, login: str) -> list[Repo]:
    user = next((u for u in USERS if u[0] == login), None)
    if user is None:
        return []
    login, user_id, _, trade, count, _, _ = user
    topics = PERSONAS[trade][1]
    repos = []
    for number in range(count):
        repo_id = user_id * 1000 + number
        word = topics[int(_pick(seed, _TOPIC, repo_id) * len(topics))]
        repos.append(Repo(
            repo_id=repo_id, owner=login, owner_id=user_id, name=f"{word}-{number:03d}", trade=trade,
            is_fork=_pick(seed, _FORK, repo_id) < 0.15, is_archived=_pick(seed, _ARCHIVED, repo_id) < 0.1,
            is_empty=_pick(seed, _EMPTY, repo_id) < 0.05, is_active=_pick(seed, _ACTIVE, repo_id) < 0.25,
            created=EPOCH + int(_pick(seed, _AGE, repo_id) * 3 * 365 * 86400)))
    return sorted(repos, key=lambda r: r.name)


def repo_item(seed: int, repo: Repo, now: int, base: str) -> dict[str, Any]:
    languages = repo.languages(seed, now)
    topics = PERSONAS[repo.trade][1]
    chosen = sorted({topics[(repo.repo_id + step * 3) % len(topics)] for step in range(1 + repo.repo_id % 3)})
    pushed = repo.pushed(now)
    return {
        "id": repo.repo_id, "node_id": f"R_{repo.repo_id}", "name": repo.name, "full_name": f"{repo.owner}/{repo.name}",
        "private": False, "owner": {"login": repo.owner, "id": repo.owner_id, "type": "User"},
        "html_url": f"https://github.com/{repo.owner}/{repo.name}", "description": f"A {repo.trade} project",
        "fork": repo.is_fork, "url": f"{base}/repos/{repo.owner}/{repo.name}",
        "languages_url": f"{base}/repos/{repo.owner}/{repo.name}/languages",
        "created_at": _iso(repo.created), "updated_at": _iso(pushed), "pushed_at": _iso(pushed),
        "size": sum(languages.values()) // 1024, "stargazers_count": repo.repo_id % 37,
        "watchers_count": repo.repo_id % 37,
        "language": max(languages, key=languages.get) if languages else None,
        "forks_count": repo.repo_id % 5, "archived": repo.is_archived, "disabled": False, "topics": chosen,
        "visibility": "public", "default_branch": "main",
    }


def user_item(seed: int, login: str, now: int, base: str) -> dict[str, Any] | None:
    user = next((u for u in USERS if u[0] == login), None)
    if user is None:
        return None
    login, user_id, name, _, count, location, company = user
    repos = repos_of(seed, login)
    updated = max([r.pushed(now) for r in repos], default=EPOCH + user_id)
    return {"login": login, "id": user_id, "node_id": f"U_{user_id}", "type": "User", "site_admin": False,
            "url": f"{base}/users/{login}", "html_url": f"https://github.com/{login}",
            "repos_url": f"{base}/users/{login}/repos", "name": name, "company": company, "blog": "",
            "location": location, "email": None, "hireable": None, "bio": None, "twitter_username": None,
            "public_repos": count, "public_gists": 0, "followers": user_id % 97, "following": user_id % 13,
            "created_at": _iso(EPOCH - 86400 * (user_id % 900)), "updated_at": _iso(updated)}


def _break_repo(broken: dict[str, Any], kind: str) -> None:
    if kind == MALFORMED_MISSING_JOB_ID:
        del broken["id"]
    elif kind == MALFORMED_GARBAGE_TIMESTAMP:
        broken["pushed_at"] = GARBAGE_TIMESTAMP
    else:
        broken["updated_at"] = "not a time"


def break_repo(item: dict[str, Any], kind: str) -> Any:
    """One of the faults' malformed kinds, applied to a repo item."""
    return break_with(item, kind, _break_repo)


class GitHubSandbox:
    """The fake API (a registry FakeApi), given its SandboxContext by the one sandbox server: the
    shared clock (`ctx.now()`), this request's fault (`ctx.decide()`), the item faults and its base
    URL (`ctx.url`, in Link headers). Tests may lower `anonymous_limit` (on the server it allows
    everyone the token limit: a sandbox run is not throttled to 60 requests an hour) or
    `token_limit`; `requests` records every API request as (path, params, status)."""

    def __init__(self, ctx: SandboxContext) -> None:
        self.ctx = ctx
        self.config = ctx.config
        self.url = ctx.url
        self.anonymous_limit: int = settings.TOKEN_PER_HOUR  # GitHub's is settings.ANONYMOUS_PER_HOUR
        self.token_limit: int = settings.TOKEN_PER_HOUR
        self.requests: list[tuple[str, dict[str, str], int]] = []  # path, params, status
        self._used: dict[tuple[int, bool], int] = {}  # (hour, authorised) -> requests counted
        self._lock = threading.Lock()

    def answer(self, path: str, params: Mapping[str, str],
               headers: Mapping[str, str] | None = None) -> tuple[int, dict[str, str], Any]:
        """(status, headers, JSON body, or b"" for a 304) of a GET; `headers` are the request's."""
        lowered = {k.lower(): v for k, v in (headers or {}).items()}
        token = lowered.get("authorization", "").partition(" ")[2].strip() or None
        if token == BAD_TOKEN:
            return 401, {**JSON}, {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"}
        now = self.ctx.now()
        fault = self.ctx.decide(_FAULTS)
        with self._lock:
            number = len(self.requests)
            status, answer_headers, body = self._answer(path, dict(params), lowered, token is not None, now,
                                                        number, fault)
            self.requests.append((path, dict(params), status))
        time.sleep(fault.sleep_seconds if status != 403 and fault.kind is None else 0)  # slow, outside the lock
        return status, {**JSON, **answer_headers}, body

    def _answer(self, path: str, params: dict[str, str], headers: dict[str, str], authorised: bool, now: int,
                number: int, fault: RequestFault) -> tuple[int, dict[str, str], Any]:
        window = now // 3600
        limit = self.token_limit if authorised else self.anonymous_limit
        used = self._used.get((window, authorised), 0)
        if used >= limit:
            return 403, self._rate(limit, 0, used, window), {
                "message": "API rate limit exceeded for 127.0.0.1. (But here's the good news: Authenticated "
                           "requests get a higher rate limit.)",
                "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"}
        if fault.kind == "rate_limit":  # a secondary rate limit: 403 or 429, with Retry-After
            return (403 if number % 2 == 0 else 429), {"Retry-After": str(fault.retry_after),
                                                       **self._rate(limit, limit - used, used, window)}, {
                "message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}
        if fault.kind == "server_error":
            return fault.status, {}, server_error_body(fault.status, f"req-{number}")
        status, extra, body = self._resource(path, params, now)
        etag = f'"{hashlib.sha1(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()}"'
        not_modified = status == 200 and headers.get("if-none-match") == etag
        if not (not_modified and authorised):  # an authorised 304 costs nothing
            used += 1
            self._used[(window, authorised)] = used
        rate = self._rate(limit, limit - used, used, window)
        if not_modified:
            return 304, {"ETag": etag, **extra, **rate}, b""  # a 304 has no body
        return status, {**({"ETag": etag} if status == 200 else {}), **extra, **rate}, body

    @staticmethod
    def _rate(limit: int, remaining: int, used: int, window: int) -> dict[str, str]:
        return {"x-ratelimit-limit": str(limit), "x-ratelimit-remaining": str(max(0, remaining)),
                "x-ratelimit-used": str(used), "x-ratelimit-reset": str((window + 1) * 3600),
                "x-ratelimit-resource": "core"}

    def _resource(self, path: str, params: dict[str, str], now: int) -> tuple[int, dict[str, str], Any]:
        seed, parts = self.config.seed, path.strip("/").split("/")
        missing = {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}
        if len(parts) == 2 and parts[0] == "users":
            user = user_item(seed, parts[1], now, ITEM_BASE)
            return (200, {}, user) if user else (404, {}, missing)
        if len(parts) == 3 and parts[0] == "users" and parts[2] == "repos":
            if user_item(seed, parts[1], now, ITEM_BASE) is None:
                return 404, {}, missing
            try:
                per_page, page = min(100, int(params.get("per_page", "30"))), int(params.get("page", "1"))
            except ValueError:
                return 422, {}, {"message": "per_page and page must be numbers"}
            if per_page < 1 or page < 1:
                return 422, {}, {"message": "per_page and page must be >= 1"}
            repos = repos_of(seed, parts[1])
            items = []
            for repo in repos[(page - 1) * per_page:page * per_page]:
                item = repo_item(seed, repo, now, ITEM_BASE)
                kind = malformed_kind(self.ctx.faults, seed, repo.repo_id)
                items.append(break_repo(item, kind) if kind else item)
            last = max(1, -(-len(repos) // per_page))
            return 200, self._links(path, params, page, last), items
        if len(parts) == 4 and parts[0] == "repos" and parts[3] == "languages":
            repo = next((r for r in repos_of(seed, parts[1]) if r.name == parts[2]), None)
            return (200, {}, repo.languages(seed, now)) if repo else (404, {}, missing)
        return 404, {}, missing

    def _links(self, path: str, params: dict[str, str], page: int, last: int) -> dict[str, str]:
        def link(number: int, rel: str) -> str:
            return f'<{self.url}{path}?{urlencode({**params, "page": number})}>; rel="{rel}"'
        found = []
        if page < last:
            found += [link(page + 1, "next"), link(last, "last")]
        if page > 1:
            found += [link(1, "first"), link(page - 1, "prev")]
        return {"Link": ", ".join(found)} if found else {}

    def used(self) -> int:
        """Requests counted against the limits so far."""
        return sum(self._used.values())
