"""Local sandbox of the JSearch (RapidAPI) job search API.

The default data source when no ``RAPIDAPI_KEY`` is set: deterministic generated postings,
served over real HTTP on loopback in the exact shape of the real API, with optional faults.
See :mod:`.server` (HTTP contract), :mod:`.catalogue` (what is served), :mod:`.config`
(``SANDBOX_*`` variables) and :mod:`.faults` (fault injection).
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
