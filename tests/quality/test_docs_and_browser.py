"""The docs site and Elementary's report as people see them: every node and column described, the
exposures there, and both pages served on loopback and opened in headless Chromium, asserting on
what renders. Screenshots go to build/test-artifacts/quality/."""

from __future__ import annotations

import json

import pytest

from tests.quality.conftest import ARTIFACTS

DESCRIBED_TYPES = ("model", "seed", "snapshot", "source", "exposure")


def _documented_nodes(site) -> tuple[dict, dict]:
    manifest = json.loads((site / "manifest.json").read_text())
    catalog = json.loads((site / "catalog.json").read_text())
    nodes = {uid: node for group in ("nodes", "sources", "exposures") for uid, node in manifest[group].items()
             if node.get("package_name") == "warehouse" and node["resource_type"] in DESCRIBED_TYPES}
    return nodes, {**catalog["nodes"], **catalog["sources"]}


def test_every_node_and_every_column_has_a_description(quality_run):
    nodes, catalog = _documented_nodes(quality_run["site"])
    assert len(nodes) >= 35
    undescribed = [uid for uid, node in nodes.items() if not (node.get("description") or "").strip()]
    assert undescribed == []
    missing_columns = []
    for uid, node in nodes.items():
        # the columns the warehouse really has (catalog) as well as those the yml declares
        columns = set(node.get("columns", {})) | set((catalog.get(uid) or {}).get("columns", {}))
        missing_columns += [f"{uid}.{c}" for c in sorted(columns)
                            if not (node.get("columns", {}).get(c, {}).get("description") or "").strip()]
    assert missing_columns == []


def test_exposures_name_the_report_and_the_docs_site(quality_run):
    nodes, _ = _documented_nodes(quality_run["site"])
    exposures = {n["name"]: n for n in nodes.values() if n["resource_type"] == "exposure"}
    assert {"elementary_report", "docs_site"} <= set(exposures)
    assert "model.warehouse.mart_data_quality_scores" in exposures["elementary_report"]["depends_on"]["nodes"]


def _marts(site) -> set[str]:
    nodes, _ = _documented_nodes(site)
    return {n["name"] for n in nodes.values() if n["resource_type"] == "model" and n["fqn"][1] == "marts"}


def test_docs_lineage_graph_lists_every_mart(quality_run, serve, browser_page):
    base = serve(quality_run["site"])
    page = browser_page()
    page.goto(f"{base}/static_index.html#!/overview", wait_until="load", timeout=60_000)
    page.get_by_text("Welcome!").wait_for(timeout=60_000)
    page.locator(".launcher-btn").first.click()  # the lineage graph button, bottom right
    page.get_by_role("heading", name="Lineage Graph").wait_for(timeout=30_000)
    page.wait_for_function("() => [...document.querySelectorAll('#cy')].some(e => e._cyreg && e._cyreg.cy "
                           "&& e._cyreg.cy.nodes().length > 0)", timeout=30_000)
    page.wait_for_timeout(1500)  # the layout animates into place
    page.screenshot(path=str(ARTIFACTS / "docs-lineage-graph.png"))
    # the labels cytoscape draws on its canvas
    drawn = set(page.evaluate("() => document.querySelector('#cy')._cyreg.cy.nodes(':visible')"
                              ".map(n => n.data('label'))"))
    marts = _marts(quality_run["site"])
    assert {"fct_job_postings", "mart_pipeline_runs", "mart_data_quality_scores"} <= marts
    assert marts <= drawn, marts - drawn
    assert {"Elementary data-quality report", "dbt docs site"} <= drawn  # the exposures


def test_docs_model_page_shows_its_columns(quality_run, serve, browser_page):
    base = serve(quality_run["site"])
    page = browser_page()
    page.goto(f"{base}/static_index.html#!/model/model.warehouse.mart_pipeline_runs", wait_until="load",
              timeout=60_000)
    page.get_by_text("rows_loaded_by_table").first.wait_for(timeout=60_000)
    page.screenshot(path=str(ARTIFACTS / "docs-model-mart_pipeline_runs.png"), full_page=True)
    text = page.inner_text("body")
    _, catalog = _documented_nodes(quality_run["site"])
    columns = catalog["model.warehouse.mart_pipeline_runs"]["columns"]
    assert len(columns) >= 15
    assert [c for c in columns if c not in text] == []
    assert "Tests passed: data and unit tests" in text or "Data and unit tests that passed." in text


def test_elementary_report_shows_the_test_results(quality_run, serve, browser_page, elementary_availability):
    if quality_run["report"] is None:
        pytest.skip(elementary_availability.line())
    assert quality_run["report"].stat().st_size > 100_000
    output = quality_run["report_output"]
    assert "elementary: available" in output and f"elementary report: {quality_run['report']}" in output
    base = serve(quality_run["report"].parent)
    page = browser_page()
    page.goto(f"{base}/report.html", wait_until="load", timeout=60_000)
    page.get_by_text("Test results breakdown").wait_for(timeout=60_000)
    page.screenshot(path=str(ARTIFACTS / "elementary-dashboard.png"))
    page.goto(f"{base}/report.html#/report/test-results", wait_until="load", timeout=60_000)
    page.get_by_text("Passed (").first.wait_for(timeout=60_000)
    counts = page.inner_text("body")
    page.screenshot(path=str(ARTIFACTS / "elementary-test-results.png"))
    tests_run = quality_run["runs"][0].build.count("test")  # the full build: every data test once
    assert f"All ({tests_run})" in counts or f"Passed ({tests_run})" in counts, counts[:2000]
    search = page.get_by_placeholder("Search").last
    for test_name, table in (("volume_anomalies", "fct_job_postings"), ("completeness", "stg_jsearch__job_postings")):
        search.fill(test_name)
        page.wait_for_function(f"() => document.body.innerText.includes({test_name!r})", timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / f"elementary-test-results-{test_name}.png"))
        text = page.inner_text("body")
        assert table in text and text.count("Passed") >= 2, text[:2000]  # the filter button and each row
