"""Static quality gates that run with the suite: sqlfluff (dbt templater, real warehouse), ruff,
and the make targets the README documents."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from orchestration.config import REPO_ROOT
from orchestration.dbt_runner import lint_sql

BIN = Path(sys.executable).parent


def test_sqlfluff_passes_on_every_model(fresh_database):
    assert lint_sql(fresh_database) == 0


def test_ruff_passes():
    result = subprocess.run([str(BIN / "ruff"), "check", "dlt_pipelines", "orchestration", "tests"],
                            cwd=REPO_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_make_help_lists_every_documented_target():
    output = subprocess.run(["make", "help"], cwd=REPO_ROOT, capture_output=True, text=True, check=True).stdout
    listed = set(re.findall(r"make (\S+)", output))
    readme = (REPO_ROOT / "README.md").read_text()
    documented = set(re.findall(r"^\| `make ([a-z-]+)", readme, flags=re.MULTILINE))
    required = {"run", "test", "lint", "el", "transform", "docs", "warehouse-url", "clean", "bench"}
    assert required <= listed
    assert documented == listed, f"README and `make help` disagree: {documented ^ listed}"


def test_ci_runs_exactly_the_readme_test_command():
    ci = (REPO_ROOT / ".ci" / "run").read_text()
    commands = [line for line in ci.splitlines() if line.strip() and not line.startswith(("#", "set ", "cd "))]
    assert commands == ["make test"]
    assert "make test" in (REPO_ROOT / "README.md").read_text()
