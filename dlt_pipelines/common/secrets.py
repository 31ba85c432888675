"""The one secret scrubber: everything printed, logged, stored or alerted goes through `scrub`.

It masks, with `***`:
- the secret values it was told about (`register`, from `Settings.secrets()`: API keys, the Adzuna
  app id and key, the warehouse password, webhook URLs), raw and URL-encoded, whatever surrounds
  them; values shorter than 4 characters are not masked (they would mask half of every message);
- by pattern, secrets it was never told about: credential query parameters (`app_key=`, `api_key=`,
  `key=`, `token=`, ...), credential headers and JSON fields (`Authorization: Bearer ...`,
  `X-RapidAPI-Key: ...`, `"api_key": "..."`) and passwords inside URLs (`scheme://user:pw@host`).

`install` (called once by each command line: `python -m orchestration`, the sandbox's) registers the
values and routes stdout, stderr and every log record through it. The error classes of the project
(`ScrubbedError` subclasses: ApiError, StageError, OpsError, ...) scrub their own messages, so a message
stored (ops.run_log, rejects) or alerted is clean whatever path it takes. This module reads no
environment: the values come from orchestration.config.
"""

from __future__ import annotations

import io
import logging
import re
import sys
import threading
from collections.abc import Iterable
from typing import TextIO
from urllib.parse import quote, quote_plus

MASK = "***"
MIN_SECRET_LENGTH = 4

# credential query parameters and form fields: ?app_key=..., &api_key=..., &token=...
_CREDENTIAL_NAMES = (r"app_?key|app_?id|api_?key|apikey|key|token|access_token|refresh_token|auth_token|"
                     r"client_secret|secret|password|passwd|pwd|signature|sig|x-rapidapi-key")
_QUERY_PARAM = re.compile(rf"(?i)([?&;](?:{_CREDENTIAL_NAMES})=)[^&#;\s\"'<>]+")
# credential headers, as `Name: value` or in a dict/JSON repr: 'X-RapidAPI-Key': 'value'
_HEADER = re.compile(
    r"(?i)(\b(?:proxy-)?authorization|\bx-rapidapi-key|\bx-api-key|\bapi-key|\bx-auth-token)"
    r"([\"']?\s*[:=]\s*[\"']?)(?:(bearer|basic|token)\s+)?[^\s\"',}]+")
# credential fields of JSON bodies: "api_key": "value"
_JSON_FIELD = re.compile(rf"(?i)(\"(?:{_CREDENTIAL_NAMES})\"\s*:\s*\")[^\"]+")
# a password inside a URL: scheme://user:password@host
_URL_PASSWORD = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^:/@\s]*:)([^@\s/]+)@", re.IGNORECASE)

_known: set[str] = set()
_lock = threading.Lock()


def _forms(value: str) -> set[str]:
    """A value as it may appear in text: raw, and URL-encoded as a path or a query would encode it."""
    return {value, quote(value, safe=""), quote(value), quote_plus(value)}


def register(values: Iterable[str | None]) -> None:
    """Remember secret values (and their URL-encoded forms) for every later `scrub`."""
    with _lock:
        for value in values:
            if value and len(value) >= MIN_SECRET_LENGTH:
                _known.update(form for form in _forms(value) if len(form) >= MIN_SECRET_LENGTH)


def known() -> frozenset[str]:
    return frozenset(_known)


def scrub(text: str, secrets: Iterable[str | None] = ()) -> str:
    """`text` with every known or given secret value and every credential-shaped part masked."""
    if not text:
        return text
    values = set(_known)
    for value in secrets:
        if value and len(value) >= MIN_SECRET_LENGTH:
            values.update(form for form in _forms(value) if len(form) >= MIN_SECRET_LENGTH)
    for value in sorted(values, key=len, reverse=True):
        if value in text:
            text = text.replace(value, MASK)
    text = _QUERY_PARAM.sub(rf"\1{MASK}", text)
    text = _HEADER.sub(lambda m: f"{m[1]}{m[2]}{m[3] + ' ' if m[3] else ''}{MASK}", text)
    text = _JSON_FIELD.sub(rf"\1{MASK}", text)
    return _URL_PASSWORD.sub(rf"\1{MASK}@", text)


class ScrubbedError(Exception):
    """An error whose message is scrubbed when it is made: base of the project's error classes."""

    def __init__(self, *args: object) -> None:
        super().__init__(*(scrub(arg) if isinstance(arg, str) else arg for arg in args))


class ScrubbingStream(io.TextIOBase):
    """A text stream that scrubs what is written to it before passing it on."""

    def __init__(self, inner: TextIO) -> None:
        self.inner = inner

    def write(self, text: str) -> int:
        self.inner.write(scrub(text))
        return len(text)

    def flush(self) -> None:
        self.inner.flush()

    def isatty(self) -> bool:
        return self.inner.isatty()

    def fileno(self) -> int:
        return self.inner.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.inner, "encoding", "utf-8")


class _ScrubbedRecord(logging.LogRecord):
    def getMessage(self) -> str:  # noqa: N802 - logging's naming
        return scrub(super().getMessage())


class _ScrubbingFormatter(logging.Formatter):
    """Wraps a handler's formatter: the whole formatted line (traceback included) is scrubbed."""

    def __init__(self, inner: logging.Formatter | None) -> None:
        super().__init__()
        self.inner = inner or logging.Formatter()

    def format(self, record: logging.LogRecord) -> str:
        return scrub(self.inner.format(record))


def _wrap(stream: TextIO) -> TextIO:
    return stream if isinstance(stream, ScrubbingStream) else ScrubbingStream(stream)  # type: ignore[return-value]


def scrub_logging() -> None:
    """Every log record's message, and every handler already attached, goes through `scrub`."""
    logging.setLogRecordFactory(_ScrubbedRecord)
    loggers = [logging.getLogger(), *(lg for lg in logging.Logger.manager.loggerDict.values()
                                      if isinstance(lg, logging.Logger))]
    for logger in loggers:
        for handler in logger.handlers:
            if not isinstance(handler.formatter, _ScrubbingFormatter):
                handler.setFormatter(_ScrubbingFormatter(handler.formatter))


def install(values: Iterable[str | None] = ()) -> None:
    """At a command line's start: register `values`, scrub stdout, stderr and logging from now on."""
    register(values)
    sys.stdout = _wrap(sys.stdout)
    sys.stderr = _wrap(sys.stderr)
    scrub_logging()
