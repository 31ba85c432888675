"""The slim CI build: load the sandbox into the CI database, then `dbt build` only what the change
needs, compared with the last production manifest (dbt's `state:modified` selection).

A Postgres CI database cannot defer to production relations in another database, so the selection
is `@state:modified`: the modified nodes, everything downstream of them (`state:modified+`) and
the parents those need, built from the sandbox data. Without a production manifest everything is
built.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from orchestration.config import Settings
from orchestration.dbt_runner import DbtReport, run_dbt
from orchestration.elt import RunSummary, extract_load
from orchestration.ops.runner import under_run_lock


def slim_build(settings: Settings, prod_manifest: Path | None) -> tuple[str, DbtReport]:
    """Under the run lock, as `run` and `el` (it extract-loads into the same dlt working folder)."""
    return under_run_lock(settings, lambda url: _slim_build(settings, url, prod_manifest), label="ci")


def _slim_build(settings: Settings, url: str, prod_manifest: Path | None) -> tuple[str, DbtReport]:
    extract_load(settings, url, settings.run_sources(), RunSummary(url))
    if prod_manifest is not None and prod_manifest.is_file():
        state = settings.build_dir / "ci-state"
        state.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(prod_manifest, state / "manifest.json")
        args = ["build", "--select", "@state:modified", "--state", str(state)]
        how = f"slim: dbt build --select @state:modified against the production manifest {prod_manifest}"
    else:
        args = ["build"]
        missing = f" (none at {prod_manifest})" if prod_manifest is not None else ""
        how = f"full: no production manifest{missing}, dbt build of everything"
    return how, run_dbt(args, url)
