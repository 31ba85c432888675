"""Pages fetched ahead: same pages in order, errors where they happened, early stop stops fetching."""

from __future__ import annotations

import threading

import pytest

from dlt_pipelines.common.paging import prefetched


def test_pages_come_in_order_and_all_of_them():
    assert list(prefetched(iter(range(50)), depth=3)) == list(range(50))
    assert list(prefetched(iter([]))) == []


def test_an_error_is_raised_after_the_pages_before_it():
    def pages():
        yield 1
        yield 2
        raise ConnectionError("page 3 failed")

    seen = []
    with pytest.raises(ConnectionError, match="page 3 failed"):
        for page in prefetched(pages()):
            seen.append(page)
    assert seen == [1, 2]


def test_stopping_early_stops_the_fetching():
    fetched = []

    def pages():
        for number in range(1000):
            fetched.append(number)
            yield number

    iterator = prefetched(pages(), depth=2)
    assert next(iterator) == 0
    iterator.close()
    assert not any(t.name == "prefetch-pages" and t.is_alive() for t in threading.enumerate())
    assert len(fetched) <= 5  # the page taken, the two queued, one waiting to be queued (and the next)
