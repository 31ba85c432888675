"""`make test` runs `pytest -n 2 --dist loadgroup`, and tests/conftest.py puts the modules sharing a
whole-warehouse session fixture into one xdist group so that warehouse is built once. Checked here
with the project's own grouping hook on two modules sharing such a fixture: every test of the
group runs on one worker. (It broke twice: pytest 9.2 derives node ids itself, so pytest-xdist 3.8
cannot group, pinned in pyproject.toml; and the hook must run before xdist's.)"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from orchestration.config import REPO_ROOT

MODULE = """
    import os
    import pytest

    @pytest.fixture(scope="session")
    def quality_run():
        return "a shared warehouse"

    @pytest.mark.parametrize("i", range(4))
    def test_shared(i, quality_run, tmp_path_factory):
        out = tmp_path_factory.getbasetemp().parent.parent / f"worker_NAME_{i}"
        out.write_text(os.environ["PYTEST_XDIST_WORKER"])

    @pytest.mark.parametrize("i", range(4))
    def test_free(i):
        pass
"""


def test_modules_sharing_a_warehouse_fixture_run_on_one_worker(tmp_path):
    for name in ("a", "b"):
        (tmp_path / f"test_{name}.py").write_text(textwrap.dedent(MODULE.replace("NAME", name)))
    (tmp_path / "conftest.py").write_text("from tests.conftest import pytest_collection_modifyitems  # noqa: F401\n")
    done = subprocess.run([sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-q", "-p",
                           "no:cacheprovider", f"--basetemp={tmp_path / 'base'}", "test_a.py", "test_b.py"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    outputs = list(tmp_path.glob("worker_*"))
    assert len(outputs) == 8
    workers = {path.read_text() for path in outputs}
    assert len(workers) == 1, f"the shared group ran on workers {sorted(workers)}"
