"""The optional dbt packages: installed from a cache of released packages, or said to be
unavailable in one line with the reason; the core project parses and keeps its own tests without
them, with every Elementary test disabled."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from orchestration.config import DBT_PROJECT_DIR, Settings, packages_cache
from orchestration.dbt_runner import dbt_env, dbt_executable
from orchestration.quality import elementary, packages

UNREACHABLE_HUB = "http://127.0.0.1:9/"  # dbt deps fails at once: no server listens on the discard port


def _fake_release(root: Path, name: str, version: str) -> None:
    (root / name / "macros").mkdir(parents=True)
    (root / name / "integration_tests").mkdir()
    (root / name / "dbt_project.yml").write_text(f"name: {name}\nversion: '{version}'\nconfig-version: 2\n")
    (root / name / "macros" / "m.sql").write_text("{% macro m() %}1{% endmacro %}\n")


def _settings(tmp_path: Path, cache: Path | None) -> Settings:
    env = {"ELT_BUILD_DIR": str(tmp_path / "build"), "DBT_PACKAGE_HUB_URL": UNREACHABLE_HUB,
           "PATH": "/usr/bin:/bin"}
    if cache is not None:
        env["DBT_PACKAGES_CACHE"] = str(cache)
    return Settings.from_env(env)


def test_install_copies_released_packages_from_the_cache(tmp_path):
    cache = tmp_path / "cache"
    _fake_release(cache, "elementary", packages.REQUIRED["elementary"])
    _fake_release(cache, "dbt_utils", "0.1.0")
    target = tmp_path / "dbt_packages"
    assert not packages.status(target).available
    result = packages.install(_settings(tmp_path, cache), dbt_executable(), target)
    assert result.available and str(cache) in result.line()
    assert sorted(p.name for p in target.iterdir()) == ["dbt_utils", "elementary"]
    assert (target / "elementary" / "macros" / "m.sql").is_file()
    assert not (target / "elementary" / "integration_tests").exists()  # only what dbt loads
    assert packages.status(target).available


def test_without_cache_or_hub_elementary_is_unavailable_in_one_line(tmp_path):
    cache = tmp_path / "cache"
    _fake_release(cache, "elementary", "0.20.0")  # the wrong release
    target = tmp_path / "dbt_packages"
    result = packages.install(_settings(tmp_path, cache), dbt_executable(), target)
    line = result.line()
    assert not result.available and "\n" not in line
    assert line.startswith("elementary: unavailable, Elementary tests and `make report` are skipped:")
    assert "elementary 0.20.0 (need 0.25.1)" in line and "dbt deps failed" in line
    assert not packages.status(target).available


def test_report_refuses_with_the_reason_when_the_packages_are_missing(tmp_path, monkeypatch):
    empty = packages.status(tmp_path / "nothing")
    monkeypatch.setattr(packages, "status", lambda *args: empty)
    with pytest.raises(elementary.ElementaryUnavailable, match="not installed in .*run `make deps`"):
        elementary.write_report(_settings(tmp_path, None), "postgresql://postgres@127.0.0.1:1/none")


def test_the_cache_defaults_to_the_user_cache_folder_when_it_exists(tmp_path):
    assert packages_cache({"XDG_CACHE_HOME": str(tmp_path)}) is None
    (tmp_path / "dbt-packages").mkdir()
    assert packages_cache({"XDG_CACHE_HOME": str(tmp_path)}) == (tmp_path / "dbt-packages").resolve()
    home = tmp_path / "home"
    (home / ".cache" / "dbt-packages").mkdir(parents=True)
    assert packages_cache({"HOME": str(home)}) == (home / ".cache" / "dbt-packages").resolve()
    assert packages_cache({"HOME": str(home), "DBT_PACKAGES_CACHE": "/opt/pk"}) == Path("/opt/pk")


def test_the_core_project_parses_without_the_packages(tmp_path):
    project = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("dbt_packages", "target", "logs"))
    env = dbt_env("postgresql://postgres@127.0.0.1:1/none")
    env.update({"DBT_ELEMENTARY_ENABLED": "false", "DBT_PROFILES_DIR": str(project), "DBT_PROJECT_DIR": str(project),
                "DBT_TARGET_PATH": str(project / "target")})
    result = subprocess.run([dbt_executable(), "parse"], cwd=project, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-2000:]
    manifest = json.loads((project / "target" / "manifest.json").read_text())
    tests = [n for n in manifest["nodes"].values() if n["resource_type"] == "test"]
    assert len(tests) > 150
    assert not any(n["package_name"] == "elementary" for n in manifest["nodes"].values())
    disabled = [n for nodes in manifest["disabled"].values() for n in nodes
                if (n.get("test_metadata") or {}).get("namespace") == "elementary"]
    assert len(disabled) >= 5  # volume, freshness and schema-change monitors, switched off


def test_elementary_can_be_switched_off_and_a_bad_switch_names_the_variable(monkeypatch):
    from orchestration.config import ConfigError

    with pytest.raises(ConfigError, match="ELT_ELEMENTARY must be auto or off"):
        Settings.from_env({"ELT_ELEMENTARY": "maybe"})
    monkeypatch.setenv("ELT_ELEMENTARY", "off")
    assert dbt_env("postgresql://postgres@127.0.0.1:1/none")["DBT_ELEMENTARY_ENABLED"] == "false"
    monkeypatch.setenv("ELT_ELEMENTARY", "auto")
    expected = "true" if packages.status().available else "false"
    assert dbt_env("postgresql://postgres@127.0.0.1:1/none")["DBT_ELEMENTARY_ENABLED"] == expected
