"""dlt source for OpenAQ v3 (hourly air-quality values): `raw_openaq` (domain air_quality).

Requests, in this order (a replayed folder of captures maps onto it, see registry_entry.py):
locations (`OPENAQ_LOCATION_IDS` one by one, else discovered by `OPENAQ_BBOX` or per
`OPENAQ_COUNTRIES`, capped at `OPENAQ_MAX_LOCATIONS`), then each location's sensors, then each
sensor's hourly values (`/v3/sensors/{id}/hours`) from `datetime_from` to `datetime_to`, always
sent in UTC with a `Z`. Paging (`page`, `limit`) ends on a page shorter than the limit, as
`meta.found` may be a string such as ">1000".

Hourly values are incremental on `period_end_utc` with dlt's own lag: every run re-reads the last
`OPENAQ_LOOKBACK_HOURS` (values arrive late) and merges on (sensor_id, period_end_utc); an hour
served again unchanged is not loaded again (a fingerprint kept in the resource state for the lag
window), so a rerun with nothing new loads nothing. Unreadable records go to
`measurements_rejected` with the reason; out-of-range values are loaded as reported.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from typing import Any

import dlt
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.paginators import PageNumberPaginator, SinglePagePaginator

from dlt_pipelines.common.http import ApiQuotaExceeded, ResilientSession
from dlt_pipelines.openaq import helpers, settings

log = logging.getLogger(__name__)

REJECTED_TABLE = "measurements_rejected"
REJECTED_HINTS = dlt.mark.make_hints(
    table_name=REJECTED_TABLE, write_disposition="append",
    columns={"rejected_at": {"data_type": "timestamp"}, "reason": {"data_type": "text", "nullable": False},
             "raw_json": {"data_type": "text"}, "reject_key": {"data_type": "text"}},
)
_JSON = {"payload": {"data_type": "json"}, "fetched_at": {"data_type": "timestamp"}}
LOCATION_COLUMNS = {"location_id": {"data_type": "bigint", "nullable": False}, "name": {"data_type": "text"},
                    "locality": {"data_type": "text"}, "timezone": {"data_type": "text"},
                    "country_code": {"data_type": "text"}, "latitude": {"data_type": "double"},
                    "longitude": {"data_type": "double"}, "provider_name": {"data_type": "text"},
                    "owner_name": {"data_type": "text"}, "is_mobile": {"data_type": "bool"},
                    "is_monitor": {"data_type": "bool"}, **_JSON}
SENSOR_COLUMNS = {"sensor_id": {"data_type": "bigint", "nullable": False}, "location_id": {"data_type": "bigint"},
                  "parameter_id": {"data_type": "bigint"}, "parameter_name": {"data_type": "text"},
                  "units": {"data_type": "text"}, **_JSON}
MEASUREMENT_COLUMNS = {"sensor_id": {"data_type": "bigint", "nullable": False}, "location_id": {"data_type": "bigint"},
                       "parameter_id": {"data_type": "bigint"}, "parameter_name": {"data_type": "text"},
                       "units": {"data_type": "text"}, "period_start_utc": {"data_type": "timestamp"},
                       "period_end_utc": {"data_type": "timestamp", "nullable": False},
                       "period_end_local": {"data_type": "text"}, "value": {"data_type": "double"}, **_JSON}


# rows carry their table's hints (as the job boards' do), so the rejected variant has only its own columns
MEASUREMENT_HINTS = dlt.mark.make_hints(table_name="measurements", write_disposition="merge",
                                        primary_key=["sensor_id", "period_end_utc"], columns=MEASUREMENT_COLUMNS)


class ShortPagePaginator(PageNumberPaginator):
    """`page=1, 2, ...` until a page holds fewer than `limit` results (`meta.found` may be ">1000")."""

    def __init__(self, limit: int, maximum_page: int = settings.MAX_PAGES) -> None:
        super().__init__(base_page=1, page_param="page", total_path=None, maximum_page=maximum_page + 1)
        self.limit = limit

    def update_state(self, response, data=None) -> None:
        super().update_state(response, data)
        if helpers.page_is_last(data or [], self.limit):
            self._has_next_page = False


@dlt.source(name="openaq", max_table_nesting=0)
def openaq_source(
    session: ResilientSession,
    base_url: str,
    api_key: str | None = None,
    location_ids: tuple[int, ...] = (),
    discovery: tuple[dict[str, str], ...] = ({},),
    max_locations: int = 10,
    lookback_hours: int = 8,
    first_run_days: int = 3,
    page_limit: int = settings.PAGE_LIMIT,
    now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    replay: Path | None = None,
) -> Any:
    """`replay`: a captured file being replayed; the source makes the one request its content
    answers (locations, sensors or hourly values) and reads its sensor or location from its name."""
    client = RESTClient(base_url=base_url, session=session, data_selector=settings.ITEMS_KEY,
                        headers={settings.KEY_HEADER: api_key} if api_key else None)
    fetched_at = now()
    to_utc = fetched_at.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    rejects: list[dict[str, Any]] = []
    kind = helpers.capture_kind(_capture_results(replay)) if replay else None

    def respect_rate_limit(response, *args, **kwargs) -> None:
        try:
            wait = helpers.rate_limit_wait(response.headers, settings.MAX_RATE_LIMIT_WAIT)
        except ValueError as problem:
            raise ApiQuotaExceeded(f"OpenAQ: {problem}; the plan allows {settings.FREE_PLAN_PER_HOUR} requests "
                                   "an hour. Nothing was lost, the next run resumes.") from None
        if wait:
            log.warning("OpenAQ rate limit reached: waiting %.0fs for it to reset", wait)
            session._sleep(wait)
        response.raise_for_status()

    def pages(path: str, params: dict[str, Any] | None = None, limit: int = page_limit) -> Iterator[list[Any]]:
        paginator = SinglePagePaginator() if replay else ShortPagePaginator(limit)
        yield from client.paginate(path, params={**(params or {}), "limit": limit}, paginator=paginator,
                                   hooks={"response": [respect_rate_limit]})

    def reject(item: Any, reason: str, where: str) -> None:
        key = helpers.fingerprint([where, reason, item])  # the same bad record for the same reason: one key
        rejects.append(helpers.rejected_row(item, reason, key, fetched_at))

    @cache
    def location_items() -> tuple[dict[str, Any], ...]:
        if replay and kind != "locations":
            return ()
        found: list[dict[str, Any]] = []
        if location_ids and not replay:
            listings = [pages(settings.LOCATION_PATH.format(location_id=i)) for i in location_ids]
        else:
            listings = [pages(settings.LOCATIONS_PATH, query, min(page_limit, max_locations)) for query in discovery]
        for listing in listings:  # generators: a listing not needed any more is never requested
            if len(found) >= max_locations and not replay:
                break
            for page in listing:
                for item in page:
                    if not helpers.is_entity(item):
                        reject(item, "location without a whole-number id", "location")
                    elif len(found) < max_locations or replay:
                        found.append(item)
                if len(found) >= max_locations and not replay:
                    break
        if replay:  # remember which sensor is where, for sensor and value captures replayed later
            state = dlt.current.source_state().setdefault("replay", _replay_state())
            for item in found:
                for sensor in item.get("sensors") or []:
                    if helpers.is_entity(sensor):
                        state["location_of"][str(sensor["id"])] = item["id"]
                        _remember(state, sensor)
        return tuple(found)

    @cache
    def sensor_rows() -> tuple[dict[str, Any], ...]:
        if replay and kind != "sensors":
            return ()
        rows: list[dict[str, Any]] = []
        if replay:
            state = dlt.current.source_state().setdefault("replay", _replay_state())
            where = [(helpers.location_of(replay), settings.SENSORS_PATH.format(location_id="replayed"))]
        else:
            where = [(item["id"], settings.SENSORS_PATH.format(location_id=item["id"])) for item in location_items()]
        for location_id, path in where:
            for page in pages(path):
                for item in page:
                    if not helpers.is_entity(item):
                        reject(item, "sensor without a whole-number id", f"sensor|{location_id}")
                        continue
                    at = location_id
                    if replay:
                        at = location_id or state["location_of"].get(str(item["id"]))
                        _remember(state, item)
                    rows.append(helpers.sensor_row(item, at, fetched_at))
        return tuple(rows)

    def changed(rows: Iterator[dict[str, Any]], key: str) -> Iterator[dict[str, Any]]:
        """Rows whose item (and place) differ from what an earlier run loaded: a rerun with nothing
        new loads nothing (a fingerprint per id in the resource state, committed with the data)."""
        marks: dict[str, str] = {} if replay else dlt.current.resource_state().setdefault("marks", {})
        for row in rows:
            mark = helpers.fingerprint([row.get("location_id"), row["payload"]])
            if marks.get(str(row[key])) != mark:
                marks[str(row[key])] = mark
                yield row

    @dlt.resource(name="locations", write_disposition="merge", primary_key="location_id", columns=LOCATION_COLUMNS)
    def locations() -> Iterator[dict[str, Any]]:
        yield from changed((helpers.location_row(item, fetched_at) for item in location_items()), "location_id")

    @dlt.resource(name="sensors", write_disposition="merge", primary_key="sensor_id", columns=SENSOR_COLUMNS)
    def sensors() -> Iterator[dict[str, Any]]:
        yield from changed(iter(sensor_rows()), "sensor_id")

    def measurement_items(start: datetime) -> Iterator[Any]:
        state = {} if replay else dlt.current.resource_state()
        seen: dict[str, str] = state.setdefault("seen", {})  # "sensor|end" -> fingerprint, within the lag window
        seen_rejects: dict[str, str] = state.setdefault("rejected", {})  # reject_key -> when first rejected
        window = {"datetime_from": helpers.utc_z(start), "datetime_to": helpers.utc_z(to_utc)}
        for sensor, path in _value_sources():
            after, bad = "start", 0  # a bad non-object: known by the valid hour before it
            for page in pages(path, window):
                rows = []
                for item in page:
                    if replay and isinstance(item, dict) and (sensor is None or sensor.get("from_item")):
                        sensor = _replayed_sensor(item)
                    sensor_id = sensor.get("sensor_id") if sensor else None
                    problem = helpers.measurement_problem(item, sensor_id)
                    if problem:
                        bad += 1
                        place = "" if isinstance(item, dict) else f"|{after}|{bad}"  # an object is known by its content
                        reject(item, problem, f"measurement|{sensor_id}{place}")
                        continue
                    row = helpers.measurement_row(item, sensor, fetched_at)
                    after, bad = helpers.utc_z(row["period_end_utc"]), 0
                    if replay:  # a later capture of this parameter that names no sensor is this one's
                        _remember(dlt.current.source_state().setdefault("replay", _replay_state()),
                                  {"id": sensor_id, "parameter": item.get("parameter")})
                    key, mark = f"{sensor_id}|{helpers.utc_z(row['period_end_utc'])}", helpers.fingerprint(item)
                    if seen.get(key) != mark:  # else served before, unchanged
                        seen[key] = mark
                        rows.append(row)
                if rows:
                    yield dlt.mark.with_hints(rows, MEASUREMENT_HINTS, create_table_variant=True)
        if kind in ("other", "empty"):
            for page in pages(settings.LOCATIONS_PATH):
                for item in page:
                    reject(item, "not an OpenAQ location, sensor or hourly value", "other")
        sensor_rows(), location_items()  # their rejects, when they were not read yet
        for row in rejects:
            if row["reject_key"] not in seen_rejects:
                seen_rejects[row["reject_key"]] = helpers.utc_z(fetched_at)
                yield dlt.mark.with_hints(row, REJECTED_HINTS, create_table_variant=True)
        rejects.clear()
        horizon = helpers.utc_z(start - timedelta(hours=1))
        for key in [k for k in seen if k.partition("|")[2] < horizon]:
            del seen[key]
        for key in [k for k, at in seen_rejects.items() if at < horizon]:
            del seen_rejects[key]

    first_start = fetched_at - timedelta(days=first_run_days)
    @dlt.resource(name="measurements")  # its hints travel with its rows (MEASUREMENT_HINTS)
    def measurements(
        period_end=dlt.sources.incremental(  # noqa: B008 (dlt's way of declaring the cursor)
            "period_end_utc", initial_value=first_start, lag=lookback_hours * 3600, on_cursor_value_missing="include"),
    ) -> Iterator[Any]:
        yield from measurement_items(period_end.start_value or first_start)

    @dlt.resource(name="measurements")  # its hints travel with its rows (MEASUREMENT_HINTS)
    def replayed_measurements() -> Iterator[Any]:
        yield from measurement_items(datetime(1970, 1, 1, tzinfo=timezone.utc))  # a capture is loaded whatever its age

    def _value_sources() -> list[tuple[dict[str, Any] | None, str]]:
        if replay:
            if kind != "measurements":
                return []
            sensor_id = helpers.sensor_of(replay)
            state = dlt.current.source_state().get("replay", {})
            known = {"sensor_id": sensor_id, "location_id": state.get("location_of", {}).get(str(sensor_id))}
            return [(known if sensor_id else None, settings.HOURS_PATH.format(sensor_id=sensor_id or "replayed"))]
        return [(row, settings.HOURS_PATH.format(sensor_id=row["sensor_id"])) for row in sensor_rows()]

    def _replayed_sensor(item: dict[str, Any]) -> dict[str, Any] | None:
        """The sensor of a value in a capture whose name names none: the item's own `sensorsId`
        (latest values have one), else the last replayed sensor's of its parameter."""
        state = dlt.current.source_state().get("replay", {})
        parameter = item.get("parameter") if isinstance(item.get("parameter"), dict) else {}
        sensor_id = helpers.whole_number(item.get("sensorsId")) or state.get("last_sensor", {}).get(
            str(parameter.get("id")))
        if sensor_id is None:
            return None
        return {"sensor_id": sensor_id, "location_id": state.get("location_of", {}).get(str(sensor_id)),
                "from_item": True}

    return locations, sensors, replayed_measurements if replay else measurements


def _replay_state() -> dict[str, Any]:
    return {"location_of": {}, "last_sensor": {}}


def _remember(state: dict[str, Any], sensor: dict[str, Any]) -> None:
    parameter = sensor.get("parameter") if isinstance(sensor.get("parameter"), dict) else {}
    if parameter.get("id") is not None:
        state["last_sensor"][str(parameter["id"])] = sensor["id"]


def _capture_results(path: Path) -> list[Any]:
    import orjson

    from dlt_pipelines.common.replay import UTF8_BOM

    content = orjson.loads(path.read_bytes().removeprefix(UTF8_BOM))
    results = content.get(settings.ITEMS_KEY) if isinstance(content, dict) else content
    return results if isinstance(results, list) else []
