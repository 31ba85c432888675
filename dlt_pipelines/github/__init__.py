"""dlt source for GitHub candidate profiles: `raw_github` (domain careers).

Per profile (the configured logins, the stalest first, at most `batch_size` a run): `/users/{login}`,
its public repos `/users/{login}/repos` (Link-header paging), and the languages of each repo that
is not a fork `/repos/{owner}/{repo}/languages`, only when the repo's `pushed_at` moved since
they were last read. Every request is conditional: each URL's ETag is kept in dlt's source state
(committed with the data) and sent as `If-None-Match`; a 304 loads nothing. Items served again
unchanged are not loaded again either (a fingerprint per id), so a rerun loads nothing.

Rate limits: after every response `x-ratelimit-remaining` is read; at 0 the run stops cleanly,
loads what it has and names `x-ratelimit-reset`; the profiles not refreshed are the stalest next
run. Secondary limits (403/429 with `Retry-After`) are retried by the session
(dlt_pipelines/common/http.py). Unreadable records go to `records_rejected` with the reason.

Replay (`replay`): a capture file of recorded interactions (PyGithub's `{"interactions": [...]}`
or octokit's fixture array) is read through the same row builders; see registry_entry.py.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cache
from pathlib import Path
from typing import Any

import dlt
import requests
from dlt.sources.helpers.rest_client import RESTClient

from dlt_pipelines.common.http import ApiError, ApiQuotaExceeded, ResilientSession
from dlt_pipelines.github import helpers, settings

log = logging.getLogger(__name__)

_JSON = {"payload": {"data_type": "json"}, "fetched_at": {"data_type": "timestamp"}}
USER_COLUMNS = {"user_id": {"data_type": "bigint", "nullable": False}, "login": {"data_type": "text"},
                "name": {"data_type": "text"}, "company": {"data_type": "text"}, "location": {"data_type": "text"},
                "bio": {"data_type": "text"}, "account_type": {"data_type": "text"},
                "public_repos": {"data_type": "bigint"}, "followers": {"data_type": "bigint"},
                "created_at": {"data_type": "timestamp"}, "updated_at": {"data_type": "timestamp"}, **_JSON}
LISTING_COLUMNS = {"login": {"data_type": "text", "nullable": False}, "user_id": {"data_type": "bigint"},
                   "public_repos": {"data_type": "bigint"}, "repos_listed": {"data_type": "bigint"},
                   "is_complete": {"data_type": "bool"}, "note": {"data_type": "text"},
                   "listed_at": {"data_type": "timestamp"}}
REPO_COLUMNS = {"repo_id": {"data_type": "bigint", "nullable": False}, "user_id": {"data_type": "bigint"},
                "owner_login": {"data_type": "text"}, "name": {"data_type": "text"},
                "full_name": {"data_type": "text"}, "is_fork": {"data_type": "bool"},
                "is_archived": {"data_type": "bool"}, "primary_language": {"data_type": "text"},
                "topics": {"data_type": "json"}, "stargazers_count": {"data_type": "bigint"},
                "size_kb": {"data_type": "bigint"}, "created_at": {"data_type": "timestamp"},
                "updated_at": {"data_type": "timestamp"}, "pushed_at": {"data_type": "timestamp"}, **_JSON}
LANGUAGE_COLUMNS = {"full_name": {"data_type": "text", "nullable": False}, "repo_id": {"data_type": "bigint"},
                    "languages": {"data_type": "json"}, "total_bytes": {"data_type": "bigint"},
                    "pushed_at": {"data_type": "timestamp"}, "fetched_at": {"data_type": "timestamp"}}
REJECTED_COLUMNS = {"rejected_at": {"data_type": "timestamp"}, "reason": {"data_type": "text", "nullable": False},
                    "endpoint": {"data_type": "text"}, "raw_json": {"data_type": "text"},
                    "reject_key": {"data_type": "text"}}


class BudgetSpent(Exception):
    """The rate-limit window has no request left: the run stops cleanly, the next resumes."""


@dataclass
class Harvest:
    """What one run read, by table (before the unchanged rows are dropped)."""

    users: list[dict[str, Any]] = field(default_factory=list)
    listings: list[dict[str, Any]] = field(default_factory=list)
    repos: list[dict[str, Any]] = field(default_factory=list)
    languages: list[dict[str, Any]] = field(default_factory=list)
    rejects: list[dict[str, Any]] = field(default_factory=list)
    not_modified: int = 0  # 304 answers
    stopped: str | None = None  # why the run stopped before refreshing every profile of its batch


def _empty_state() -> dict[str, Any]:
    # etags: request key -> {"etag", and what the run needs when the answer is a 304};
    # refreshed: login -> when its profile was last refreshed whole; languages_at: repo -> pushed_at read
    return {"etags": {}, "refreshed": {}, "languages_at": {}, "marks": {}, "rejected": {}}


@dlt.source(name="github", max_table_nesting=0)
def github_source(
    session: ResilientSession,
    base_url: str,
    token: str | None = None,
    users: tuple[str, ...] = (),
    batch_size: int = settings.BATCH_SIZE,
    per_page: int = settings.PER_PAGE,
    now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    replay: Path | None = None,
) -> Any:
    headers = {"Accept": settings.ACCEPT, "X-GitHub-Api-Version": settings.API_VERSION}
    if token and not replay:
        headers["Authorization"] = f"Bearer {token}"
    client = RESTClient(base_url=base_url, session=session, headers=headers)
    fetched_at = now()

    @cache
    def harvest() -> Harvest:
        state = dlt.current.source_state().setdefault("github", _empty_state())
        found = Harvest()
        if replay:
            response = client.get("/replay")  # the adapter answers with the capture file
            _read_capture(response.json(), found, fetched_at)
        else:
            _Crawl(client, state, found, fetched_at, per_page).run(
                helpers.stalest_first(users, state["refreshed"], batch_size))
        return found

    def changed(rows: list[dict[str, Any]], key: str, ignore: tuple[str, ...] = ("fetched_at",)) -> Iterator[dict]:
        """Rows that differ from what an earlier run loaded (a fingerprint per key in the state)."""
        marks = dlt.current.source_state().setdefault("github", _empty_state())["marks"]
        for row in rows:
            mark = helpers.fingerprint({k: str(v) for k, v in row.items() if k not in ignore})
            slot = f"{key}|{row[key]}"
            if marks.get(slot) != mark:
                marks[slot] = mark
                yield row

    @dlt.resource(name="users", write_disposition="merge", primary_key="user_id", columns=USER_COLUMNS)
    def users_resource() -> Iterator[dict[str, Any]]:
        yield from changed(harvest().users, "user_id")

    @dlt.resource(name="repo_listings", write_disposition="merge", primary_key="login", columns=LISTING_COLUMNS)
    def repo_listings() -> Iterator[dict[str, Any]]:
        yield from changed(harvest().listings, "login", ignore=("listed_at",))

    @dlt.resource(name="repos", write_disposition="merge", primary_key="repo_id", columns=REPO_COLUMNS)
    def repos() -> Iterator[dict[str, Any]]:
        yield from changed(harvest().repos, "repo_id")

    @dlt.resource(name="repo_languages", write_disposition="merge", primary_key="full_name",
                  columns=LANGUAGE_COLUMNS)
    def repo_languages() -> Iterator[dict[str, Any]]:
        yield from changed(harvest().languages, "full_name")

    @dlt.resource(name="records_rejected", write_disposition="append", columns=REJECTED_COLUMNS)
    def records_rejected() -> Iterator[dict[str, Any]]:
        seen = dlt.current.source_state().setdefault("github", _empty_state())["rejected"]
        for row in harvest().rejects:
            if row["reject_key"] not in seen:  # a bad record met again is stored once
                seen[row["reject_key"]] = row["rejected_at"].isoformat()
                yield row

    return users_resource, repo_listings, repos, repo_languages, records_rejected


class _Crawl:
    """The live requests of one run, conditional on the ETags kept in `state`."""

    def __init__(self, client: RESTClient, state: dict[str, Any], found: Harvest, fetched_at: datetime,
                 per_page: int) -> None:
        self.client, self.state, self.found, self.fetched_at, self.per_page = client, state, found, fetched_at, per_page
        self.spent_until: datetime | None = None
        self.listed, self.rejected = 0, 0  # repos of the profile being read: loaded, rejected

    def run(self, logins: list[str]) -> None:
        for login in logins:
            try:
                self.profile(login)
            except BudgetSpent as stop:
                self.found.stopped = str(stop)
                log.warning("GitHub: %s; %d of %d profiles not refreshed, the next run resumes with them",
                            stop, len(logins) - logins.index(login), len(logins))
                return
            self.state["refreshed"][login] = self.fetched_at.isoformat()

    def get(self, path_or_url: str, params: Mapping[str, Any] | None = None) -> tuple[requests.Response, Any]:
        """A conditional GET: (response, its JSON) or (304 response, None)."""
        if self.spent_until is not None:
            raise BudgetSpent(f"the rate limit is spent until {self.spent_until:%Y-%m-%d %H:%M:%S} UTC")
        key = _key(path_or_url, params)
        known = self.state["etags"].get(key)
        headers = {"If-None-Match": known["etag"]} if known else {}
        try:
            response = self.client.get(path_or_url, params=dict(params or {}), headers=headers)
        except ApiQuotaExceeded as problem:  # an answer at the limit (403/429 without Retry-After)
            raise BudgetSpent(str(problem)) from None
        if helpers.budget_left(response.headers) == 0:
            self.spent_until = helpers.reset_at(response.headers) or self.fetched_at
        if response.status_code == 304:
            self.found.not_modified += 1
            return response, None
        if response.status_code == 404:
            return response, None
        if response.status_code >= 400:
            raise ApiError(f"GitHub: GET {path_or_url} answered HTTP {response.status_code}: {response.text[:200]}")
        body = response.json()
        if response.headers.get("ETag"):
            self.state["etags"][key] = {"etag": response.headers["ETag"]}
        return response, body

    def remember(self, path_or_url: str, params: Mapping[str, Any] | None, **facts: Any) -> None:
        key = _key(path_or_url, params)
        if key in self.state["etags"]:
            self.state["etags"][key].update(facts)

    def recall(self, path_or_url: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return self.state["etags"].get(_key(path_or_url, params), {})

    def profile(self, login: str) -> None:
        path = settings.USER_PATH.format(login=login)
        response, user = self.get(path)
        if response.status_code == 404:
            self.reject({"login": login}, "no such GitHub user (HTTP 404)", "user")
            return
        if user is not None:
            problem = helpers.user_problem(user)
            if problem:
                self.reject(user, problem, "user")
                return
            self.found.users.append(helpers.user_row(user, {}, self.fetched_at))
            self.remember(path, None, user_id=user["id"], public_repos=helpers.whole_number(user.get("public_repos")))
        known = self.recall(path)
        self.listed, self.rejected = 0, 0
        try:
            complete, note = self.repos(login, known.get("user_id"))
        except BudgetSpent:
            self.listing(login, known, False, "rate limit reached while paging; the next run resumes")
            raise
        public = known.get("public_repos")
        if complete and public is not None and self.listed != public:
            note = (f"{self.rejected} repos rejected (raw_github.records_rejected)"
                    if self.listed + self.rejected == public else
                    f"{self.listed} repos listed, the profile says {public} (made private or deleted since?)")
        self.listing(login, known, complete, note)

    def listing(self, login: str, known: Mapping[str, Any], complete: bool, note: str | None) -> None:
        self.found.listings.append({"login": login, "user_id": known.get("user_id"),
                                    "public_repos": known.get("public_repos"), "repos_listed": self.listed,
                                    "is_complete": complete, "note": note, "listed_at": self.fetched_at})

    def repos(self, login: str, user_id: int | None) -> tuple[bool, str | None]:
        """Lists the user's repos page by page (Link rel=next), reads the languages of those that
        moved; (whether every page was read, why not). Counts the repos in `self.listed`."""
        url: str | None = settings.REPOS_PATH.format(login=login)
        params: dict[str, Any] | None = {"per_page": self.per_page, "type": "owner", "sort": "full_name"}
        pages = 0
        while url and pages < settings.MAX_PAGES:
            pages += 1
            response, items = self.get(url, params)
            if response.status_code == 404:
                return False, "the repos listing answered 404"
            if items is None:  # 304: the page as read before
                page = self.recall(url, params)
                summary, following, rejected = page.get("repos", []), page.get("next"), page.get("rejected", 0)
            else:
                summary = self.page_rows(items, login, user_id)
                rejected = (len(items) if isinstance(items, list) else 1) - len(summary)
                following = self.relative(response.links.get("next", {}).get("url"))
                self.remember(url, params, repos=summary, next=following, rejected=rejected)
            self.listed += len(summary)
            self.rejected += rejected
            for repo_id, full_name, pushed_at, is_fork in summary:
                if not is_fork:
                    self.languages(repo_id, full_name, pushed_at)
            url, params = following, None  # the next link carries its own query
        return url is None, None if url is None else f"stopped after {settings.MAX_PAGES} pages"

    def relative(self, url: str | None) -> str | None:
        """A Link URL without the base URL: the state stays valid when the server moves (a sandbox's port)."""
        if url and url.startswith(self.client.base_url):
            return url[len(self.client.base_url):] or "/"
        if url and "://" in url:  # another host's base: keep the path and query
            return "/" + url.split("://", 1)[1].partition("/")[2]
        return url

    def page_rows(self, items: Any, login: str, user_id: int | None) -> list[list[Any]]:
        summary = []
        for place, item in enumerate(items if isinstance(items, list) else [items]):
            problem = helpers.repo_problem(item)
            if problem:  # an object is known by its content, anything else by its place
                where = f"repos|{login}" + ("" if isinstance(item, dict) else f"|{self.listed + place}")
                self.reject(item, problem, where)
                continue
            row = helpers.repo_row(item, login, user_id, self.fetched_at)
            self.found.repos.append(row)
            pushed = row["pushed_at"].isoformat() if row["pushed_at"] else None
            summary.append([row["repo_id"], row["full_name"], pushed, row["is_fork"]])
        return summary

    def languages(self, repo_id: int, full_name: str, pushed_at: str | None) -> None:
        """A repo's languages, read again only when its `pushed_at` moved (else nothing changed)."""
        if str(repo_id) in self.state["languages_at"] and self.state["languages_at"][str(repo_id)] == pushed_at:
            return
        owner, _, name = full_name.partition("/")
        response, languages = self.get(settings.LANGUAGES_PATH.format(owner=owner, repo=name))
        if languages is not None:
            problem = helpers.languages_problem(languages)
            if problem:
                self.reject(languages, problem, "languages")
            else:
                self.found.languages.append(helpers.languages_row(
                    repo_id, full_name, languages, helpers.parse_utc(pushed_at), self.fetched_at))
        self.state["languages_at"][str(repo_id)] = pushed_at

    def reject(self, item: Any, reason: str, where: str) -> None:
        self.found.rejects.append(helpers.rejected_row(item, reason, where, self.fetched_at))


def _key(path_or_url: str, params: Mapping[str, Any] | None) -> str:
    """A request's key in the ETag state: its path and sorted query."""
    return path_or_url + ("?" + "&".join(f"{k}={v}" for k, v in sorted(params.items())) if params else "")


def interactions_of(capture: Any) -> list[dict[str, Any]]:
    """The recorded interactions of a capture: PyGithub's `{"interactions": [...]}` or octokit's
    fixture array (as the replay adapter serves it, `{"interactions": [...]}` as well)."""
    found = capture.get("interactions") if isinstance(capture, dict) else capture
    return [item for item in found if isinstance(item, dict)] if isinstance(found, list) else []


def _read_capture(capture: Any, found: Harvest, fetched_at: datetime) -> None:
    """Every recorded interaction loaded (a user, a page of repos, a repo, a repo's languages),
    counted as not modified (304), or rejected with the reason."""
    repo_ids: dict[str, int] = {}
    for interaction in interactions_of(capture):
        method = str(interaction.get("method") or "").upper()
        path = str(interaction.get("url") or interaction.get("path") or "")
        status = interaction.get("status")
        body = interaction["response"] if "response" in interaction else interaction.get("body")
        kind, names = helpers.endpoint_of(path)
        where = f"{method} {path}"
        if status == 304:
            found.not_modified += 1
            continue
        if method != "GET" or status != 200 or kind == "other":
            reason = (f"{method} {status}: not a read of a GitHub user, repos or languages" if kind != "other"
                      or method != "GET" or status != 200 else "not a GitHub user, repos or languages response")
            found.rejects.append(helpers.rejected_row(interaction, reason, where, fetched_at))
            continue
        if kind == "user":
            problem = helpers.user_problem(body)
            if problem:
                found.rejects.append(helpers.rejected_row(body, problem, where, fetched_at))
            else:
                found.users.append(helpers.user_row(body, {}, fetched_at))
        elif kind in ("repos", "repo"):
            for item in body if isinstance(body, list) else [body]:
                problem = helpers.repo_problem(item)
                if problem:
                    found.rejects.append(helpers.rejected_row(item, problem, where, fetched_at))
                    continue
                row = helpers.repo_row(item, names[0], None, fetched_at)
                repo_ids[row["full_name"].lower()] = row["repo_id"]
                found.repos.append(row)
        else:
            problem = helpers.languages_problem(body)
            if problem:
                found.rejects.append(helpers.rejected_row(body, problem, where, fetched_at))
            else:
                full_name = f"{names[0]}/{names[1]}"
                found.languages.append(helpers.languages_row(
                    repo_ids.get(full_name.lower()), full_name, body, None, fetched_at))
