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

from orchestration import warehouse
from orchestration.config import Settings
from orchestration.dbt_runner import DbtReport, run_dbt
from orchestration.elt import RunSummary, extract_load
from orchestration.extract_load import RUN_SOURCES


def slim_build(settings: Settings, prod_manifest: Path | None) -> tuple[str, DbtReport]:
    url = warehouse.resolve_url(settings)
    warehouse.check_connection(url)
    extract_load(settings, url, settings.sources or RUN_SOURCES, RunSummary(url))
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
