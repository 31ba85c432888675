"""`make test` runs `pytest -n 2 --dist loadgroup`, and tests/conftest.py puts the modules sharing a
whole-warehouse session fixture into one xdist group so that warehouse is built once. That only
holds if pytest-xdist can still group (pytest 9.2 broke it: pinned below in pyproject.toml): a
group of tests must run on one worker."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_an_xdist_group_runs_on_one_worker(tmp_path):
    (tmp_path / "test_grouped.py").write_text(textwrap.dedent("""
        import os
        import pytest

        @pytest.mark.xdist_group("shared")
        @pytest.mark.parametrize("i", range(6))
        def test_grouped(i, tmp_path_factory):
            (tmp_path_factory.getbasetemp().parent.parent / f"worker_{i}").write_text(os.environ["PYTEST_XDIST_WORKER"])

        @pytest.mark.parametrize("i", range(6))
        def test_free(i):
            pass
    """))
    (tmp_path / "conftest.py").write_text("")
    base = tmp_path / "base"
    done = subprocess.run([sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-q", "-p",
                           "no:cacheprovider", f"--basetemp={base}", str(tmp_path / "test_grouped.py")],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    workers = {path.read_text() for path in tmp_path.glob("worker_*")}
    assert len(list(tmp_path.glob("worker_*"))) == 6
    assert len(workers) == 1, f"one group ran on workers {sorted(workers)}"
