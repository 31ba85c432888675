"""The raw tables every job-board source writes, as Arrow tables, and the helpers to fill them.

Each board loads `raw_<board>.job_postings` (merge on `job_id`, the API item untouched as
`payload` jsonb) and `raw_<board>.job_postings_rejected` (records that cannot be loaded, with the
reason, kept byte-exact; merged insert-only on `reject_key`, so each bad record is stored once).
Arrow tables go to Postgres as csv through COPY, several times faster than INSERT statements;
`payload` travels as a JSON string that dlt loads as json.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from typing import Any

import dlt
import orjson
import pyarrow as pa
from dlt.common.utils import uniq_id_base64

from dlt_pipelines.common.secrets import ScrubbedError

RAW_TABLE = "job_postings"
REJECTED_TABLE = "job_postings_rejected"
TIMESTAMP = pa.timestamp("us", tz="UTC")

POSTINGS_SCHEMA = pa.schema([
    ("job_id", pa.string()),
    ("posted_at", TIMESTAMP),
    ("posted_at_source", pa.string()),
    ("search_query", pa.string()),
    ("fetched_at", TIMESTAMP),
    ("payload", pa.string()),
])
# Every board also says which country the search asked for (JSearch's `country`, Adzuna's country
# endpoint; null for Remotive and Arbeitnow) and carries dlt's row id `_dlt_id`, as the raw
# contract has it. (raw_jsearch rows loaded before JSearch had them hold nulls there.)
POSTINGS_WITH_COUNTRY_SCHEMA = POSTINGS_SCHEMA.insert(4, pa.field("search_country", pa.string())).append(
    pa.field("_dlt_id", pa.string()))

REJECTED_SCHEMA = pa.schema([
    ("rejected_at", TIMESTAMP),
    ("reason", pa.string()),
    ("search_query", pa.string()),
    ("raw_json", pa.string()),  # text, not json: the record may be any JSON value, kept byte-exact
    ("reject_key", pa.string()),  # the bad record and its reason (see reject_key), last as dlt adds it
])

POSTINGS_HINTS = dlt.mark.make_hints(
    table_name=RAW_TABLE,
    primary_key="job_id",
    write_disposition={"disposition": "merge", "strategy": "delete-insert"},
    columns={
        "job_id": {"data_type": "text", "nullable": False, "unique": True},
        "payload": {"data_type": "json"},
        "posted_at": {"data_type": "timestamp", "nullable": False},
    },
)
# insert-only: a record stored before keeps its row (the first rejected_at, search_query and load).
# Rows stored before the key existed have a null reject_key: they are kept, never matched
# (marts.quarantined_records tells their duplicates apart).
REJECTED_HINTS = dlt.mark.make_hints(
    table_name=REJECTED_TABLE,
    primary_key="reject_key",
    write_disposition={"disposition": "merge", "strategy": "insert-only"},
    columns={"reason": {"data_type": "text", "nullable": False},
             "reject_key": {"data_type": "text", "nullable": True}},
)


class Rejected(ScrubbedError, ValueError):
    """A record that cannot be loaded as a posting; kept in the rejected table with this reason (scrubbed)."""


def epoch_time(value: Any) -> datetime | None:
    """Epoch seconds (number or numeric string) as UTC, or None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str) and re.fullmatch(r"\s*\d{9,11}(\.\d+)?\s*", value):
        number = float(value)
    else:
        return None
    if not 0 < number < 32503680000:  # before year 3000
        return None
    return datetime.fromtimestamp(number, tz=timezone.utc)


def iso_time(value: Any) -> datetime | None:
    """An ISO-8601 time; without a zone it is taken as UTC (Remotive's `publication_date`)."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def change_hash(item: dict[str, Any], volatile: Iterable[str] = ()) -> str:
    """A short hash of the item without its volatile fields: equal hash, nothing to reload."""
    skip = frozenset(volatile)
    stable = {k: v for k, v in item.items() if k not in skip}
    return hashlib.blake2b(orjson.dumps(stable, option=orjson.OPT_SORT_KEYS), digest_size=8).hexdigest()


def payload_and_hash(item: dict[str, Any], volatile: Iterable[str] = ()) -> tuple[bytes, str]:
    """The item as JSON (keys sorted; jsonb keeps no order anyway) and its `change_hash`, from one
    serialisation: a volatile field is cut out of the bytes, which leaves exactly the JSON of the
    item without it (orjson is compact and the keys are sorted). When a field's text occurs more
    than once (a nested object with the same key), the hash is computed the long way."""
    payload = orjson.dumps(item, option=orjson.OPT_SORT_KEYS)
    stable = payload
    for key in volatile:
        if key not in item:
            continue
        fragment = orjson.dumps({key: item[key]}, option=orjson.OPT_SORT_KEYS)[1:-1]  # "key":value
        if stable.count(fragment) != 1:
            return payload, change_hash(item, volatile)
        at = stable.find(fragment)
        end = at + len(fragment)
        if stable[end:end + 1] == b",":
            stable = stable[:at] + stable[end + 1:]
        elif stable[at - 1:at] == b",":
            stable = stable[:at - 1] + stable[end:]
        else:  # the only key
            stable = stable[:at] + stable[end:]
    return payload, hashlib.blake2b(stable, digest_size=8).hexdigest()


def reject_key(item: Any, reason: str, id_field: str, place: tuple[str, int], volatile: Iterable[str] = ()) -> str:
    """The key of a rejected record: equal for the same bad record rejected for the same reason,
    whichever query, page or run served it. A record is known by the board's id when it has one,
    else by its content without the volatile fields; a value that is not an object (null, a
    string) has no content of its own and is known by its `place`: the valid posting listed before
    it and its position among the bad records after that posting."""
    if isinstance(item, dict):
        raw = item.get(id_field)
        known = (isinstance(raw, str) and raw.strip()) or (isinstance(raw, int) and not isinstance(raw, bool))
        identity = ["id", str(raw).strip()] if known else ["content", change_hash(item, volatile)]
    else:
        identity = ["value", item, *place]
    return hashlib.blake2b(orjson.dumps([identity, reason]), digest_size=16).hexdigest()


def postings_table(rows: Sequence[tuple[Any, ...]], with_country: bool = False) -> pa.Table:
    """Rows (job_id, posted_at, posted_at_source, search_query, fetched_at, item[, search_country]);
    the item as a dict or already serialised (bytes, see `payload_and_hash`)."""
    schema = POSTINGS_WITH_COUNTRY_SCHEMA if with_country else POSTINGS_SCHEMA
    width = 7 if with_country else 6
    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in range(width)]
    arrays = [pa.array(columns[0], pa.string()), pa.array(columns[1], TIMESTAMP),
              pa.array(columns[2], pa.string()), pa.array(columns[3], pa.string())]
    if with_country:
        arrays.append(pa.array(columns[6], pa.string()))
    arrays += [pa.array(columns[4], TIMESTAMP),
               pa.array([item if isinstance(item, bytes) else orjson.dumps(item) for item in columns[5]],
                        pa.binary()).cast(pa.string())]
    if with_country:
        arrays.append(pa.array([uniq_id_base64() for _ in columns[0]], pa.string()))
    return pa.Table.from_arrays(arrays, schema=schema)


RejectedRow = tuple[datetime, str, str | None, Any, str]  # rejected_at, reason, search_query, item, reject_key


def rejected_table(rows: Sequence[RejectedRow]) -> pa.Table:
    """Rejected records with their reason; an empty table still creates the table downstream reads."""
    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in REJECTED_SCHEMA]
    raw = [orjson.dumps(item).decode() for item in columns[3]]
    return pa.Table.from_arrays(
        [pa.array(columns[0], TIMESTAMP), pa.array(columns[1], pa.string()),
         pa.array(columns[2], pa.string()), pa.array(raw, pa.string()), pa.array(columns[4], pa.string())],
        schema=REJECTED_SCHEMA,
    )


def hinted_postings(rows: Sequence[tuple[Any, ...]], with_country: bool = False) -> Any:
    return dlt.mark.with_hints(postings_table(rows, with_country), POSTINGS_HINTS, create_table_variant=True)


def hinted_rejected(rows: Sequence[RejectedRow]) -> Any:
    return dlt.mark.with_hints(rejected_table(rows), REJECTED_HINTS, create_table_variant=True)
