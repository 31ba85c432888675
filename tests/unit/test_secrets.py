"""The one secret scrubber (dlt_pipelines/common/secrets.py): known values raw and URL-encoded, and
credentials by pattern (query parameters, headers, JSON fields, URL passwords), in messages, error
classes, streams and log records."""

from __future__ import annotations

import io
import logging

import pytest

from dlt_pipelines.common import secrets
from dlt_pipelines.common.http import ApiError
from dlt_pipelines.common.secrets import ScrubbingStream, scrub


@pytest.mark.parametrize(("text", "expected"), [
    ("GET /v1/search/1?app_id=abc&app_key=def&what=x", "GET /v1/search/1?app_id=***&app_key=***&what=x"),
    ("https://h/x?api_key=k1;token=t2&page=2", "https://h/x?api_key=***;token=***&page=2"),
    ("Authorization: Bearer eyJhbGciOi.x.y", "Authorization: Bearer ***"),
    ("{'X-RapidAPI-Key': 'abcdef', 'X-RapidAPI-Host': 'h'}", "{'X-RapidAPI-Key': '***', 'X-RapidAPI-Host': 'h'}"),
    ('{"api_key": "s3cr3t", "page": 1}', '{"api_key": "***", "page": 1}'),
    ("postgresql://u:pw@h:5/d", "postgresql://u:***@h:5/d"),
    ("http://host:8080/path@x and Set RAPIDAPI_KEY", "http://host:8080/path@x and Set RAPIDAPI_KEY"),
])
def test_credentials_are_masked_by_pattern(text, expected):
    assert scrub(text) == expected


def test_given_values_are_masked_raw_and_url_encoded_and_short_ones_are_not():
    value = "my key/with+chars"
    text = f"{value} | my%20key%2Fwith%2Bchars | my+key%2Fwith%2Bchars | my%20key/with%2Bchars | abc"
    assert scrub(text, [value, "abc"]) == "*** | *** | *** | *** | abc"


def test_registered_values_are_masked_in_errors_streams_and_log_records():
    secrets.register(["registered-Value-9"])
    assert "registered-Value-9" not in str(ApiError("the API said: registered-Value-9 is not valid"))
    sink = io.StringIO()
    ScrubbingStream(sink).write("key registered-Value-9\n")
    assert sink.getvalue() == "key ***\n"

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)  # attached before the scrubber is installed
    logger = logging.getLogger("tests.secrets")
    logger.addHandler(handler)
    factory = logging.getLogRecordFactory()
    try:
        secrets.scrub_logging()
        logger.error("calling %s", "http://h/?app_key=registered-Value-9")
        try:
            raise RuntimeError("boom registered-Value-9")
        except RuntimeError:
            logger.exception("failed")
    finally:
        logging.setLogRecordFactory(factory)
        logger.removeHandler(handler)
    assert "calling http://h/?app_key=***" in stream.getvalue()
    assert "registered-Value-9" not in stream.getvalue() and "boom ***" in stream.getvalue()
