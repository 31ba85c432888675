"""Replay of captured API responses through a source's own code, with no network at all.

A requests transport adapter mounted on the source's session answers every call with the next
captured file, in file-name order (one file per page/response), so pagination, validation,
rejects, incremental state and merge run exactly as they do live. A file may hold a full
response, a bare item list under the board's key (Arbeitnow's `{"data": [...]}` without
`links`), or a JSON array of items; each is served in the board's response shape. Once the files
are used up, every further call gets an empty page, which ends any paging.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from dlt_pipelines.common.http import ApiError

UTF8_BOM = b"\xef\xbb\xbf"  # some capture tools write one; JSON parsers refuse it
REPLAY_BASE_URL = "http://replay.invalid"  # never resolved: the adapter answers every call


class ReplayError(ApiError):
    """A capture cannot be replayed; the message names the file and what is wrong with it."""


@dataclass(frozen=True)
class ResponseShape:
    """How one board wraps its items, so any capture can be served as that board's response."""

    board: str
    items_key: str
    id_key: str  # the board's posting id: a file none of whose items has it is another board's capture
    envelope: Callable[[list[Any]], dict[str, Any]]
    # sets the paging links of a response: (body, more files follow) -> body
    link_pages: Callable[[dict[str, Any], bool], dict[str, Any]] | None = None
    # keys that mark an item of the board as well, for items with no id (OpenAQ's hourly values)
    other_id_keys: tuple[str, ...] = ()

    def body(self, content: Any, more: bool) -> dict[str, Any]:
        body = self.envelope(content) if isinstance(content, list) else dict(content)
        return self.link_pages(body, more) if self.link_pages else body


def capture_files(path: Path) -> list[Path]:
    """The files to replay: the file itself, or every *.json under the folder in name order."""
    if path.is_file():
        return [path]
    if path.is_dir():
        files = sorted((p for p in path.rglob("*.json") if p.is_file()), key=lambda p: p.relative_to(path).as_posix())
        if not files:
            raise ReplayError(f"{path}: no .json files to replay in this folder")
        return files
    raise ReplayError(f"{path}: no such file or folder to replay")


def read_capture(path: Path, shape: ResponseShape) -> Any:
    """The file's JSON, checked to be something the board's source can be served."""
    try:
        content = orjson.loads(path.read_bytes().removeprefix(UTF8_BOM))
    except orjson.JSONDecodeError as problem:
        raise ReplayError(f"{path}: not valid JSON ({problem})") from None
    except OSError as problem:
        raise ReplayError(f"{path}: cannot be read ({problem.strerror})") from None
    if isinstance(content, list) or isinstance(content, dict) and isinstance(content.get(shape.items_key), list):
        return _of_the_board(path, content, shape)
    found = f"an object with keys {sorted(content)[:8]}" if isinstance(content, dict) else type(content).__name__
    raise ReplayError(
        f"{path}: not a {shape.board} capture: expected a response object with a '{shape.items_key}' list "
        f"or a JSON array of items, found {found}"
    )


def _of_the_board(path: Path, content: Any, shape: ResponseShape) -> Any:
    """`content`, unless it holds items and not one has the board's id key: another board's capture
    (a file where only some lack it is loaded, those going to the rejected table)."""
    items = content if isinstance(content, list) else content[shape.items_key]
    keys = (shape.id_key, *shape.other_id_keys)
    if items and not any(isinstance(item, dict) and any(key in item for key in keys) for item in items):
        raise ReplayError(
            f"{path}: not a {shape.board} capture: none of its {len(items)} items has the {shape.board} id key "
            f"'{shape.id_key}' (a capture of another board?)")
    return content


class ReplayAdapter(BaseAdapter):
    """Answers each request with the next captured file, then with empty pages."""

    def __init__(self, files: list[Path], shape: ResponseShape) -> None:
        super().__init__()
        for path in files:
            read_capture(path, shape)  # every file is checked before anything is loaded
        self.shape = shape
        self.pending: deque[Path] = deque(files)
        self.served: list[tuple[str, Path | None]] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        if self.pending:
            path: Path | None = self.pending.popleft()
            body = self.shape.body(read_capture(path, self.shape), bool(self.pending))
        else:
            path = None
            body = self.shape.body([], False)
        self.served.append((request.url or "", path))
        response = requests.Response()
        response.status_code = 200
        response.reason = "OK"
        response.headers = CaseInsensitiveDict({"Content-Type": "application/json"})
        response._content = orjson.dumps(body)
        response.encoding = "utf-8"
        response.url = request.url or ""
        response.request = request
        return response

    def close(self) -> None:
        pass


def mount_replay(session: requests.Session, adapter: ReplayAdapter) -> None:
    session.mount("http://", adapter)
    session.mount("https://", adapter)
