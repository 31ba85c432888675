"""Pure functions of the GitHub source: API items to raw rows (the raw contract of raw_github),
what the `x-ratelimit-*` headers allow, which profiles a run refreshes, and which endpoint a
path (live or in a capture) is."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any

import orjson


def parse_utc(raw: Any) -> datetime | None:
    """GitHub's `2026-03-01T12:00:00Z` as an aware UTC datetime, else None."""
    if not isinstance(raw, str) or not raw.strip():
        return None
    value = raw.strip()
    value = value[:-1] + "+00:00" if value[-1:] in ("Z", "z") else value
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.astimezone(timezone.utc) if moment.tzinfo is not None else None


def whole_number(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def fingerprint(item: Any) -> str:
    """A short hash of an item as served: an item served again unchanged is not loaded again."""
    return hashlib.sha1(orjson.dumps(item, option=orjson.OPT_SORT_KEYS)).hexdigest()[:16]


def user_problem(item: Any) -> str | None:
    if not isinstance(item, Mapping):
        return f"user is not an object: a JSON {type(item).__name__ if item is not None else 'null'}"
    if whole_number(item.get("id")) is None or not isinstance(item.get("login"), str):
        return "user without a whole-number id and a login"
    return None


def repo_problem(item: Any) -> str | None:
    if not isinstance(item, Mapping):
        return f"repo is not an object: a JSON {type(item).__name__ if item is not None else 'null'}"
    if whole_number(item.get("id")) is None or not isinstance(item.get("name"), str):
        return "repo without a whole-number id and a name"
    for field in ("pushed_at", "updated_at"):
        if item.get(field) is not None and parse_utc(item.get(field)) is None:
            return f"unreadable {field}: {item.get(field)!r}"
    return None


def languages_problem(item: Any) -> str | None:
    if not isinstance(item, Mapping):
        return f"languages are not an object: a JSON {type(item).__name__ if item is not None else 'null'}"
    bad = [name for name, size in item.items() if whole_number(size) is None or size < 0]
    return f"languages without a byte count: {bad[:3]}" if bad else None


def user_row(item: Mapping[str, Any], listing: Mapping[str, Any], fetched_at: datetime) -> dict[str, Any]:
    """`listing`: what the run knows of the user's repo listing (repos_listed, complete, why not)."""
    return {
        "user_id": item["id"], "login": item["login"], "name": item.get("name"), "company": item.get("company"),
        "location": item.get("location"), "bio": item.get("bio"), "account_type": item.get("type"),
        "public_repos": whole_number(item.get("public_repos")), "followers": whole_number(item.get("followers")),
        "created_at": parse_utc(item.get("created_at")), "updated_at": parse_utc(item.get("updated_at")),
        "repos_listed": listing.get("repos_listed"), "repos_listing_complete": listing.get("complete"),
        "repos_listing_note": listing.get("note"), "fetched_at": fetched_at, "payload": item,
    }


def repo_row(item: Mapping[str, Any], login: str | None, user_id: int | None, fetched_at: datetime) -> dict[str, Any]:
    owner = item.get("owner") if isinstance(item.get("owner"), Mapping) else {}
    topics = item.get("topics") if isinstance(item.get("topics"), list) else []
    return {
        "repo_id": item["id"], "user_id": whole_number(owner.get("id")) or user_id,
        "owner_login": owner.get("login") or login, "name": item["name"],
        "full_name": item.get("full_name") or f"{owner.get('login') or login}/{item['name']}",
        "is_fork": bool(item.get("fork")), "is_archived": bool(item.get("archived")),
        "primary_language": item.get("language"), "topics": [t for t in topics if isinstance(t, str)],
        "stargazers_count": whole_number(item.get("stargazers_count")), "size_kb": whole_number(item.get("size")),
        "created_at": parse_utc(item.get("created_at")), "updated_at": parse_utc(item.get("updated_at")),
        "pushed_at": parse_utc(item.get("pushed_at")), "fetched_at": fetched_at, "payload": item,
    }


def languages_row(repo_id: int, full_name: str, languages: Mapping[str, int], pushed_at: datetime | None,
                  fetched_at: datetime) -> dict[str, Any]:
    """One row per repo: its languages and their bytes as served (a language dropped later is gone)."""
    return {"repo_id": repo_id, "full_name": full_name, "languages": dict(languages),
            "total_bytes": sum(languages.values()), "pushed_at": pushed_at, "fetched_at": fetched_at}


def rejected_row(item: Any, reason: str, where: str, rejected_at: datetime) -> dict[str, Any]:
    return {"rejected_at": rejected_at, "reason": reason, "endpoint": where, "raw_json": orjson.dumps(item).decode(),
            "reject_key": fingerprint([where, reason, item])}


def budget_left(headers: Mapping[str, str]) -> int | None:
    """Requests left in the rate-limit window (`x-ratelimit-remaining`), None when not said."""
    lowered = {k.lower(): v for k, v in headers.items()}
    try:
        return int(lowered["x-ratelimit-remaining"])
    except (KeyError, ValueError):
        return None


def reset_at(headers: Mapping[str, str]) -> datetime | None:
    """When the window resets (`x-ratelimit-reset`, epoch seconds), None when not said."""
    lowered = {k.lower(): v for k, v in headers.items()}
    try:
        return datetime.fromtimestamp(int(float(lowered["x-ratelimit-reset"])), timezone.utc)
    except (KeyError, ValueError, OverflowError):
        return None


def stalest_first(logins: Iterable[str], refreshed: Mapping[str, str], batch_size: int) -> list[str]:
    """The logins this run refreshes: never refreshed first (in the configured order), then the
    longest unrefreshed, at most `batch_size`."""
    order = {login: place for place, login in enumerate(logins)}
    return sorted(order, key=lambda login: (refreshed.get(login, ""), order[login]))[:batch_size]


_USER = re.compile(r"^/users/([^/]+)$")
_REPOS = re.compile(r"^/users/([^/]+)/repos$")
_LANGUAGES = re.compile(r"^/repos/([^/]+)/([^/]+)/languages$")
_REPO = re.compile(r"^/repos/([^/]+)/([^/]+)$")


def endpoint_of(path: str) -> tuple[str, tuple[str, ...]]:
    """(`user` | `repos` | `languages` | `repo` | `other`, the path's names) of an API path."""
    path = path.split("?", 1)[0].rstrip("/")
    for kind, pattern in (("user", _USER), ("repos", _REPOS), ("languages", _LANGUAGES), ("repo", _REPO)):
        found = pattern.match(path)
        if found:
            return kind, found.groups()
    return "other", ()
