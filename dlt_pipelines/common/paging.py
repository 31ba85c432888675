"""Paging an HTTP API fast: dlt's `RESTClient` with orjson parsing, and pages fetched ahead.

- `JsonClient` is `RESTClient` parsing responses with orjson (several times faster than the
  stdlib/simplejson parser `requests` uses; a large page of postings is most of a run's CPU).
- `prefetched(pages)` fetches the next pages on a background thread while the caller processes
  the current one, so waiting on the server overlaps the work on what it sent. The requests still
  go one at a time through the same session (its rate limit and retries hold); an error is raised
  in the caller at the page where it happened; stopping early stops the fetching.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

import orjson
from dlt.common import jsonpath
from dlt.sources.helpers.rest_client import RESTClient
from requests import Response

T = TypeVar("T")
_DONE = object()


class JsonClient(RESTClient):
    """`RESTClient` whose pages are parsed with orjson."""

    def extract_response(self, response: Response, data_selector: jsonpath.TJsonPath) -> list[Any]:
        data: Any = jsonpath.find_values(data_selector, orjson.loads(response.content))
        data = data[0] if isinstance(data, list) and len(data) == 1 else data
        if data is None:
            return []
        return data if isinstance(data, list) else [data]


def prefetched(pages: Iterable[T], depth: int = 2) -> Iterator[T]:
    """`pages`, fetched up to `depth` ahead on a background thread."""
    ahead: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(value: Any) -> bool:
        while not stop.is_set():
            try:
                ahead.put(value, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def fetch() -> None:
        try:
            for page in pages:
                if not put((page, None)):
                    return
        except BaseException as problem:  # noqa: BLE001 - handed to the consumer, raised there
            put((_DONE, problem))
            return
        put((_DONE, None))

    worker = threading.Thread(target=fetch, name="prefetch-pages", daemon=True)
    worker.start()
    try:
        while True:
            page, problem = ahead.get()
            if page is _DONE:
                if problem is not None:
                    raise problem
                return
            yield page
    finally:
        stop.set()
        worker.join(timeout=30)
