"""Local sandbox of the JSearch (RapidAPI), Remotive, Arbeitnow and Adzuna job APIs.

The default data source of each board without a key or setting: deterministic generated
postings, served over real HTTP on loopback in the shape of the real APIs, with optional faults.
See :mod:`.server` (HTTP contract), :mod:`.catalogue` (what JSearch serves), :mod:`.boards` and
:mod:`.board_api` (the other boards and their overlap), :mod:`.config` (``SANDBOX_*`` variables)
and :mod:`.faults` (fault injection).
"""

from dlt_pipelines.sandbox.catalogue import (
    ExpectedPostings,
    expected_postings,
    generate_posting,
    iter_postings,
    new_postings_between,
    page_indices,
    visible_indices,
)
from dlt_pipelines.sandbox.config import SandboxConfig
from dlt_pipelines.sandbox.faults import FaultConfig
from dlt_pipelines.sandbox.server import (
    SandboxHandle,
    SandboxProcessHandle,
    start_sandbox,
    start_sandbox_process,
)

__all__ = [
    "ExpectedPostings",
    "FaultConfig",
    "SandboxConfig",
    "SandboxHandle",
    "SandboxProcessHandle",
    "expected_postings",
    "generate_posting",
    "iter_postings",
    "new_postings_between",
    "page_indices",
    "start_sandbox",
    "start_sandbox_process",
    "visible_indices",
]
