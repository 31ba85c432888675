"""The optional dbt packages: Elementary (dbt-data-reliability) and dbt_utils, which it needs.

The core project never depends on them: no `packages.yml` is committed (dbt refuses to run when
one lists packages that are not installed). `install` puts released packages into
`dbt_project/dbt_packages` (git-ignored), which dbt loads whenever they are there:

- offline, from a local cache of released packages, one folder per package (DBT_PACKAGES_CACHE,
  default `~/.cache/dbt-packages` when it exists), copied, never committed;
- online, by `dbt deps` in a scratch project under build/ whose packages.yml is
  `dbt_project/optional_packages.yml`, installing into the same folder.

Elementary's models and tests are switched on by DBT_ELEMENTARY_ENABLED, which the dbt runner sets
from `status()`: where the packages are missing the project builds and tests without them.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import yaml

from orchestration.config import DBT_PROJECT_DIR, Settings

PACKAGES_DIR = DBT_PROJECT_DIR / "dbt_packages"
SPEC = DBT_PROJECT_DIR / "optional_packages.yml"
# folder name in dbt_packages -> released version; the edr CLI is pinned to the same Elementary version.
# dbt_utils' own dbt_project.yml says 0.1.0 in every release, so only its presence is checked.
REQUIRED: dict[str, str | None] = {"elementary": "0.25.1", "dbt_utils": None}
NOT_COPIED = shutil.ignore_patterns("integration_tests", "docs", ".git", ".github", "*.pyc", "__pycache__")
DEPS_TIMEOUT_SECONDS = 180


@dataclass(frozen=True)
class Availability:
    available: bool
    detail: str  # where the packages came from, or exactly why they are not there

    def line(self) -> str:
        version = REQUIRED["elementary"]
        if self.available:
            return f"elementary: available (dbt package {version}, {self.detail})"
        return f"elementary: unavailable, Elementary tests and `make report` are skipped: {self.detail}"


def package_version(folder: Path) -> str | None:
    """The `version` of the dbt project in `folder`, None when there is none."""
    project = folder / "dbt_project.yml"
    if not project.is_file():
        return None
    try:
        return str((yaml.safe_load(project.read_text()) or {}).get("version") or "") or None
    except yaml.YAMLError:
        return None


def _mismatches(root: Path) -> list[str]:
    found = []
    for name, version in REQUIRED.items():
        have = package_version(root / name)
        if have is None or (version is not None and have != version):
            found.append(f"{name} {have or 'missing'}" + (f" (need {version})" if version else ""))
    return found


def status(packages_dir: Path = PACKAGES_DIR) -> Availability:
    """Are the required packages installed at the required versions?"""
    wrong = _mismatches(packages_dir)
    if wrong:
        return Availability(False, f"not installed in {packages_dir}: {', '.join(wrong)}; run `make deps` "
                                   "(set DBT_PACKAGES_CACHE to a folder of released packages when offline)")
    return Availability(True, f"installed in {packages_dir}")


def install_from_cache(cache: Path, packages_dir: Path = PACKAGES_DIR) -> None:
    packages_dir.mkdir(parents=True, exist_ok=True)
    for name in REQUIRED:
        target = packages_dir / name
        partial = packages_dir / f".{name}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        shutil.copytree(cache / name, partial, ignore=NOT_COPIED)
        shutil.rmtree(target, ignore_errors=True)
        partial.rename(target)


def install_online(settings: Settings, dbt: str, packages_dir: Path = PACKAGES_DIR) -> str:
    """`dbt deps` from dbt hub in a scratch project; '' on success, else the reason it failed."""
    scratch = settings.build_dir / "dbt-deps"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    (scratch / "dbt_project.yml").write_text(yaml.safe_dump({
        "name": "optional_packages", "version": "1.0.0", "config-version": 2, "profile": "warehouse",
        "packages-install-path": str(packages_dir),
    }))
    shutil.copyfile(SPEC, scratch / "packages.yml")
    try:
        result = subprocess.run([dbt, "deps", "--project-dir", str(scratch), "--profiles-dir", str(DBT_PROJECT_DIR)],
                                cwd=scratch, capture_output=True, text=True, timeout=DEPS_TIMEOUT_SECONDS,
                                env={**settings.env, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"})
    except subprocess.TimeoutExpired:
        return f"dbt deps timed out after {DEPS_TIMEOUT_SECONDS}s"
    if result.returncode != 0:
        lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
        return f"dbt deps failed (exit {result.returncode}): {lines[-1].strip() if lines else 'no output'}"
    return ""


def install(settings: Settings, dbt: str, packages_dir: Path = PACKAGES_DIR) -> Availability:
    """Install the packages if they are not there yet: from the cache, else from dbt hub."""
    if status(packages_dir).available:
        return status(packages_dir)
    cache = settings.dbt_packages_cache
    if cache is not None:
        wrong = _mismatches(cache)
        if not wrong:
            install_from_cache(cache, packages_dir)
            return Availability(True, f"installed from the package cache {cache}")
        cache_problem = f"the package cache {cache} lacks {', '.join(wrong)}"
    else:
        cache_problem = "no package cache (DBT_PACKAGES_CACHE is unset and ~/.cache/dbt-packages does not exist)"
    problem = install_online(settings, dbt, packages_dir)
    if not problem and status(packages_dir).available:
        return Availability(True, "installed from dbt hub by dbt deps")
    online = problem or f"dbt deps installed other versions: {', '.join(_mismatches(packages_dir))}"
    return Availability(False, f"{cache_problem}, and {online}")
