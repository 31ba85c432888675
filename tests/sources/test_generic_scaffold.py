"""A new source is one config entry plus `make scaffold`: a SQLite entry is loaded, its staging is
scaffolded from the columns dlt loaded, and dbt builds and tests it (real dlt, real dbt, real
Postgres, in a copy of the dbt project); scaffolding again keeps an edited file."""

from __future__ import annotations

import shutil
import sqlite3

import yaml

from orchestration import elt
from orchestration.config import DBT_PROJECT_DIR
from orchestration.dbt_runner import run_dbt
from orchestration.scaffold import scaffold
from tests.conftest import make_settings, query
from tests.sources.test_generic_sources import declared, stamp

T0 = __import__("datetime").datetime(2026, 2, 1, 9, 0)


def test_one_entry_plus_scaffold_is_a_staged_tested_source(fresh_database, tmp_path):
    database = tmp_path / "library.sqlite"
    with sqlite3.connect(database) as conn:
        conn.execute("create table loans (loan_id integer primary key, title text, member_id integer, "
                     "amount_due numeric, is_returned boolean, lent_at timestamp not null)")
        conn.executemany("insert into loans values (?, ?, ?, ?, ?, ?)",
                         [(n, f" book {n} ", n % 9, n * 0.25, n % 2 == 0, stamp(T0)) for n in range(1, 301)])
    conn.close()
    config = tmp_path / "sources.yml"
    config.write_text("sources:\n  - name: library\n    kind: sqlite\n    location: sqlite:///library.sqlite\n"
                      "    tables: [{name: loans, primary_key: loan_id, cursor: lent_at}]\n")
    project = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"), symlinks=True)
    settings = make_settings(tmp_path / "build")
    with declared(config):
        [report] = elt.extract_load(settings, fresh_database, ("library",))
        assert report.rows_by_table == {"loans": 300}
        lines = scaffold(settings, fresh_database, "library", project_dir=project)
        folder = project / "models" / "staging" / "library"
        assert sorted(line.split(":")[0] for line in lines) == ["wrote"] * 3
        assert sorted(p.name for p in folder.iterdir()) == [
            "_library__models.yml", "_library__sources.yml", "stg_library__loans.sql"]
        [source] = yaml.safe_load((folder / "_library__sources.yml").read_text())["sources"]
        loans = next(t for t in source["tables"] if t["name"] == "loans")
        assert loans["loaded_at_field"] == "lent_at" and loans["freshness"]["error_after"]["count"] == 48
        assert [c["name"] for c in loans["columns"]] == [
            "loan_id", "title", "member_id", "amount_due", "is_returned", "lent_at", "_dlt_load_id"]
        report = run_dbt(["build", "--project-dir", str(project), "--select", "stg_library__loans"], fresh_database,
                         target_path=tmp_path / "target", quiet=True)
        assert report.count("model", "success") == 1 and report.count("test", "pass") == 3  # unique, 2 not_null
        assert query(fresh_database, "select count(*), count(distinct loan_id), min(title), bool_or(is_returned), "
                                     "pg_typeof(min(lent_at))::text from staging.stg_library__loans") == [
            (300, 300, "book 1", True, "timestamp with time zone")]
        # scaffolding again rewrites nothing unchanged and keeps what the user edited
        model = folder / "stg_library__loans.sql"
        model.write_text(model.read_text().replace("select * from final", "select * from final -- mine"))
        again = dict(reversed(line.split(": ", 1)) for line in scaffold(settings, fresh_database, "library",
                                                                        project_dir=project))
        assert again[str(model)] == "kept (edited)"
        assert again[str(folder / "_library__sources.yml")] == "unchanged"
        assert "-- mine" in model.read_text()
