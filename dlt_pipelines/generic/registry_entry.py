"""The generic sources in the source registry (dlt_pipelines/registry.py): one SourceSpec per entry
of the built-in example (dlt_pipelines/generic/example.py) and of the generic sources file
(ELT_GENERIC_SOURCES, default sources.yml), so each is a source like the API ones: in ELT_SOURCES,
the run summary, the ledger and `make health`, dataset raw_<name>."""

from __future__ import annotations

from dlt_pipelines.generic.config import entries_from_env
from dlt_pipelines.generic.example import EXAMPLE_ENTRIES
from dlt_pipelines.generic.spec import specs_for

SOURCES = specs_for([*EXAMPLE_ENTRIES, *entries_from_env()])
