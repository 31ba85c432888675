"""Reading the sandbox vocabulary files (``vocabularies/*.yml``) into typed Python values.

Why typed: YAML guesses types, so an unquoted ``ON`` (Ontario) reads as ``True`` and ``1.0`` as a
float where ``1`` is an int. A vocabulary feeds the generated postings byte for byte, so each value
is checked against the shape the pools expect and a wrong one stops the import with its place in
the file, instead of quietly changing what the sandbox serves.

A converter is a function ``(value, where) -> python value``; ``where`` names the place in the
file for error messages. :func:`record`, :func:`record_of`, :func:`row_of`, :func:`tuple_of` and :func:`mapping_of`
combine converters into the shape of a whole file.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from typing import Any

import yaml

Converter = Callable[[Any, str], Any]

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: same result, faster


class VocabularyError(ValueError):
    """A vocabulary file does not have the expected shape (a missing key, an unquoted code...)."""


def load_vocabulary(name: str) -> Any:
    """The parsed ``vocabularies/<name>.yml`` shipped with the sandbox package."""
    path = resources.files("dlt_pipelines.job_boards.sandbox") / "vocabularies" / f"{name}.yml"
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)


def text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise VocabularyError(f"{where}: expected quoted text, got {value!r}")
    return value


def optional_text(value: Any, where: str) -> str | None:
    return None if value is None else text(value, where)


def integer(value: Any, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise VocabularyError(f"{where}: expected a whole number, got {value!r}")
    return value


def number(value: Any, where: str) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise VocabularyError(f"{where}: expected a number, got {value!r}")
    return float(value)


def _sequence(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise VocabularyError(f"{where}: expected a list, got {value!r}")
    return value


def tuple_of(convert: Converter) -> Converter:
    """A list whose items all have one shape, as a tuple."""

    def convert_list(value: Any, where: str) -> tuple:
        return tuple(convert(item, f"{where}[{n}]") for n, item in enumerate(_sequence(value, where)))

    return convert_list


def row_of(*converts: Converter) -> Converter:
    """A fixed-length list such as ``["Berlin", "Berlin", "BE", 52.52, 13.40]``, as a tuple."""

    def convert_row(value: Any, where: str) -> tuple:
        items = _sequence(value, where)
        if len(items) != len(converts):
            raise VocabularyError(f"{where}: expected {len(converts)} values, got {items!r}")
        pairs = enumerate(zip(converts, items, strict=True))
        return tuple(convert(item, f"{where}[{n}]") for n, (convert, item) in pairs)

    return convert_row


def mapping_of(convert: Converter) -> Converter:
    """A mapping from text keys to values of one shape, as a dict in file order."""

    def convert_mapping(value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise VocabularyError(f"{where}: expected a mapping, got {value!r}")
        return {text(key, f"{where} key {key!r}"): convert(item, f"{where}.{key}") for key, item in value.items()}

    return convert_mapping


def record_of(schema: dict[str, Converter]) -> Converter:
    """A converter for :func:`record` with this schema (for lists of records)."""
    return lambda value, where: record(value, schema, where)


def record(value: Any, schema: dict[str, Converter], where: str) -> dict[str, Any]:
    """A mapping with exactly the keys of ``schema``, each converted by its converter."""
    if not isinstance(value, dict) or set(value) != set(schema):
        found = sorted(map(str, value)) if isinstance(value, dict) else value
        raise VocabularyError(f"{where}: expected the keys {sorted(schema)}, got {found!r}")
    return {key: convert(value[key], f"{where}.{key}") for key, convert in schema.items()}
