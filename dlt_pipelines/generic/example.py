"""The built-in example of generic sources (filled in later)."""

from __future__ import annotations

from dlt_pipelines.generic.config import Entry

EXAMPLE_ENTRIES: list[Entry] = []
