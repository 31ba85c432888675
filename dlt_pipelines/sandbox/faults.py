"""Fault injection for the sandbox API: configuration and deterministic decisions.

Faults exist so that clients (retry logic, quarantine of bad records, schema contracts)
can be exercised against failures the real JSearch/RapidAPI stack produces. They are off
unless configured, e.g. ``SANDBOX_FAULTS=rate_limit=0.1,server_error=0.05,retry_after=0``.

Keys of ``SANDBOX_FAULTS`` (and of ``POST /_sandbox/faults``):

``rate_limit``    probability per request of a 429 ``{"message": "Too many requests"}``
                  carrying ``Retry-After: <retry_after>``.
``server_error``  probability per request of a 500, 502 or 503 with a JSON body.
``slow``          probability per request of sleeping ``slow_seconds`` before answering.
``malformed``     probability per item of replacing it with a broken item (kinds below).
``drift``         probability per item of a schema-drift change (kinds below).
``retry_after``   integer seconds sent in ``Retry-After`` for ``rate_limit`` (0 allowed).
``slow_seconds``  seconds slept for ``slow``.

Determinism: request-level faults are drawn from a counter of ``/search`` requests hashed
with the seed, so a given sequence of requests always meets the same faults; the counter
restarts when faults are changed or ``/_sandbox/reset`` is called. Item-level faults are a
function of (seed, posting index), so the same posting is broken every time it is served,
like a bad record upstream -- retrying does not fix it.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from dlt_pipelines.sandbox.hashing import stream_key, text_salt, unit

# Malformed item kinds (fault ``malformed``).
MALFORMED_NOT_OBJECT_STRING = "not_object_string"  # the item is a JSON string, not an object
MALFORMED_NOT_OBJECT_NULL = "not_object_null"  # the item is JSON null
MALFORMED_MISSING_JOB_ID = "missing_job_id"  # the object has no job_id key
MALFORMED_GARBAGE_TIMESTAMP = "garbage_timestamp"  # timestamp "yesterday-ish", no datetime key
MALFORMED_NULL_TIMESTAMP = "null_timestamp"  # all three posted-at fields null (real API does this)
MALFORMED_KINDS = (
    MALFORMED_NOT_OBJECT_STRING,
    MALFORMED_NOT_OBJECT_NULL,
    MALFORMED_MISSING_JOB_ID,
    MALFORMED_GARBAGE_TIMESTAMP,
    MALFORMED_NULL_TIMESTAMP,
)

# Schema drift kinds (fault ``drift``).
DRIFT_EXTRA_FIELD = "extra_field"  # new unknown key job_salary_currency appears
DRIFT_SALARY_AS_STRING = "salary_as_string"  # job_min_salary is a numeric string, e.g. "85000"
DRIFT_KINDS = (DRIFT_EXTRA_FIELD, DRIFT_SALARY_AS_STRING)

GARBAGE_TIMESTAMP = "yesterday-ish"
NOT_OBJECT_STRING = "<job posting unavailable>"

_CURRENCY_BY_COUNTRY = {
    "US": "USD",
    "GB": "GBP",
    "DE": "EUR",
    "FR": "EUR",
    "NL": "EUR",
    "CA": "CAD",
    "IN": "INR",
    "AU": "AUD",
}

_PROBABILITY_KEYS = ("rate_limit", "server_error", "slow", "malformed", "drift")


@dataclass(frozen=True)
class FaultConfig:
    """Which faults to inject and how often; all off by default."""

    rate_limit: float = 0.0
    server_error: float = 0.0
    slow: float = 0.0
    malformed: float = 0.0
    drift: float = 0.0
    retry_after: int = 1
    slow_seconds: float = 2.0

    def __post_init__(self) -> None:
        for key in _PROBABILITY_KEYS:
            value = getattr(self, key)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"fault probability {key}={value} must be within [0, 1]")
        if self.retry_after < 0:
            raise ValueError("retry_after must be >= 0")
        if self.slow_seconds < 0:
            raise ValueError("slow_seconds must be >= 0")

    @classmethod
    def parse(cls, text: str | None) -> FaultConfig:
        """Parse ``"rate_limit=0.1,retry_after=0"`` (the SANDBOX_FAULTS format)."""
        values: dict[str, str] = {}
        for part in (text or "").split(","):
            part = part.strip()
            if not part:
                continue
            key, sep, value = part.partition("=")
            if not sep:
                raise ValueError(f"fault setting {part!r} is not key=value")
            values[key.strip()] = value.strip()
        return cls.from_mapping(values)

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> FaultConfig:
        """Build from a mapping of the same keys (strings or numbers); unknown keys fail loudly."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"unknown fault keys: {sorted(unknown)}; known: {sorted(known)}")
        kwargs: dict[str, Any] = {}
        for key, value in values.items():
            if value is None:
                continue
            try:
                kwargs[key] = int(float(value)) if key == "retry_after" else float(value)
            except (TypeError, ValueError):
                raise ValueError(f"fault {key}={value!r} is not a number") from None
        return cls(**kwargs)

    def to_string(self) -> str:
        """Inverse of :meth:`parse`, for passing the config to a subprocess."""
        return ",".join(f"{f.name}={getattr(self, f.name)}" for f in dataclasses.fields(self))

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @property
    def any_item_faults(self) -> bool:
        return self.malformed > 0 or self.drift > 0


@dataclass(frozen=True)
class RequestFault:
    """What to do to one request: nothing, an error response, or a delay."""

    kind: str | None = None  # None | "rate_limit" | "server_error"
    status: int = 200
    retry_after: int | None = None
    sleep_seconds: float = 0.0


NO_FAULT = RequestFault()

_REQ_RATE = text_salt("fault.request.rate_limit")
_REQ_ERROR = text_salt("fault.request.server_error")
_REQ_ERROR_STATUS = text_salt("fault.request.server_error.status")
_REQ_SLOW = text_salt("fault.request.slow")
_ITEM_MALFORMED = text_salt("fault.item.malformed")
_ITEM_MALFORMED_KIND = text_salt("fault.item.malformed.kind")
_ITEM_DRIFT = text_salt("fault.item.drift")
_ITEM_DRIFT_KIND = text_salt("fault.item.drift.kind")

_SERVER_ERROR_STATUSES = (500, 502, 503)


def decide_request(faults: FaultConfig, seed: int, request_number: int) -> RequestFault:
    """Fault for the ``request_number``-th search request (0-based) since the last reset."""
    if faults.rate_limit and unit(stream_key(seed, _REQ_RATE), request_number) < faults.rate_limit:
        return RequestFault(kind="rate_limit", status=429, retry_after=faults.retry_after)
    if faults.server_error and unit(stream_key(seed, _REQ_ERROR), request_number) < faults.server_error:
        pick = unit(stream_key(seed, _REQ_ERROR_STATUS), request_number)
        status = _SERVER_ERROR_STATUSES[int(pick * len(_SERVER_ERROR_STATUSES))]
        return RequestFault(kind="server_error", status=status)
    if faults.slow and unit(stream_key(seed, _REQ_SLOW), request_number) < faults.slow:
        return RequestFault(sleep_seconds=faults.slow_seconds)
    return NO_FAULT


def server_error_body(status: int, request_id: str) -> dict[str, Any]:
    """JSON body for an injected 5xx, shaped like the gateway/backends answer."""
    if status == 502:
        return {"message": "Bad Gateway: the API upstream did not answer in time"}
    if status == 503:
        return {"message": "Service Unavailable"}
    return {"status": "ERROR", "request_id": request_id, "error": {"message": "Internal error", "code": 500}}


def malformed_kind(faults: FaultConfig, seed: int, index: int) -> str | None:
    """Malformed kind for posting ``index`` under these faults, or None."""
    if not faults.malformed or unit(stream_key(seed, _ITEM_MALFORMED), index) >= faults.malformed:
        return None
    pick = unit(stream_key(seed, _ITEM_MALFORMED_KIND), index)
    return MALFORMED_KINDS[int(pick * len(MALFORMED_KINDS))]


def drift_kind(faults: FaultConfig, seed: int, index: int) -> str | None:
    """Schema-drift kind for posting ``index`` under these faults, or None."""
    if not faults.drift or unit(stream_key(seed, _ITEM_DRIFT), index) >= faults.drift:
        return None
    pick = unit(stream_key(seed, _ITEM_DRIFT_KIND), index)
    return DRIFT_KINDS[int(pick * len(DRIFT_KINDS))]


def apply_item_faults(faults: FaultConfig, seed: int, index: int, item: dict[str, Any]) -> Any:
    """Return the item as served: possibly malformed (wins over drift) or drifted."""
    kind = malformed_kind(faults, seed, index)
    if kind is not None:
        return break_item(item, kind)
    kind = drift_kind(faults, seed, index)
    if kind is not None:
        return drift_item(item, kind)
    return item


def break_with(item: dict[str, Any], kind: str, mutate: Callable[[dict[str, Any], str], None]) -> Any:
    """One malformed kind applied to any source's item: the kinds that are not an object are the
    same for every source; the others `mutate` a deep copy the source's own way (the input is not
    modified)."""
    if kind == MALFORMED_NOT_OBJECT_STRING:
        return NOT_OBJECT_STRING
    if kind == MALFORMED_NOT_OBJECT_NULL:
        return None
    broken = copy.deepcopy(item)
    mutate(broken, kind)
    return broken


def _break_posting(broken: dict[str, Any], kind: str) -> None:
    if kind == MALFORMED_MISSING_JOB_ID:
        del broken["job_id"]
    elif kind == MALFORMED_GARBAGE_TIMESTAMP:
        broken["job_posted_at_timestamp"] = GARBAGE_TIMESTAMP
        broken.pop("job_posted_at_datetime_utc", None)
    elif kind == MALFORMED_NULL_TIMESTAMP:
        broken["job_posted_at"] = None
        broken["job_posted_at_timestamp"] = None
        broken["job_posted_at_datetime_utc"] = None
    else:
        raise ValueError(f"unknown malformed kind {kind!r}")


def break_item(item: dict[str, Any], kind: str) -> Any:
    """Apply one malformed kind to a job posting; the input dict is not modified."""
    return break_with(item, kind, _break_posting)


def drift_item(item: dict[str, Any], kind: str) -> dict[str, Any]:
    """Apply one drift kind; a salary-less item gets the extra field instead of a string salary."""
    drifted = dict(item)
    if kind == DRIFT_SALARY_AS_STRING and isinstance(item.get("job_min_salary"), int | float):
        drifted["job_min_salary"] = str(item["job_min_salary"])
        return drifted
    drifted["job_salary_currency"] = _CURRENCY_BY_COUNTRY.get(item.get("job_country") or "", "USD")
    return drifted
