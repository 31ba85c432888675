"""`make lineage MODEL=<name>` and `make impact SOURCE=<name>`: the dbt DAG of the manifest, read
from source to mart.

- lineage: the model's upstream sources (each raw table, and the registered source that loads it)
  and models, and its downstream models, marts and exposures;
- impact: what a change to a source rebuilds, `source:raw_<name>+` as `make run` selects it after
  new rows: every downstream model (with its materialization), snapshot, test count and exposure.

Every raw row carries dlt's `_dlt_load_id`; staging keeps it as `load_id` and the marts carry the
newest one behind each row (`last_load_id`, `last_ats_load_id`, ...): join the source's
`raw_<name>._dlt_loads` on it to trace a mart row to the load that brought it.
"""

from __future__ import annotations

import json
from collections import deque
from pathlib import Path

from dlt_pipelines import registry
from orchestration.config import ConfigError, dbt_target_dir


class LineageError(ConfigError):
    """An unknown model or source, or no manifest."""


def load_manifest(target: Path | None = None) -> dict:
    path = (target or dbt_target_dir()) / "manifest.json"
    if not path.exists():
        raise LineageError(f"{path} is missing: run `make transform` or `make docs` first (dbt writes the manifest)")
    return json.loads(path.read_text())


def _walk(edges: dict[str, list[str]], start: str) -> list[str]:
    """Every node reachable from `start` along `edges`, breadth first (nearest first)."""
    seen, order, queue = {start}, [], deque([start])
    while queue:
        for nxt in edges.get(queue.popleft(), []):
            if nxt not in seen:
                seen.add(nxt)
                order.append(nxt)
                queue.append(nxt)
    return order


def _node(manifest: dict, unique_id: str) -> dict:
    for kind in ("nodes", "sources", "exposures"):
        if unique_id in manifest.get(kind, {}):
            return manifest[kind][unique_id]
    return {}


def _loaded_by(schema: str) -> str:
    names = [name for name, spec in registry.sources().items() if spec.dataset == schema]
    return f" (loaded by source {names[0]})" if names else ""


def _describe(manifest: dict, unique_id: str) -> str:
    node = _node(manifest, unique_id)
    kind = unique_id.split(".", 1)[0]
    if kind == "source":
        return f"source {node['source_name']}.{node['name']}{_loaded_by(node.get('schema', ''))}"
    if kind == "exposure":
        return f"exposure {node['name']} ({node.get('type', '')})"
    if kind in ("model", "snapshot", "seed"):
        materialized = node.get("config", {}).get("materialized", kind)
        return f"{kind} {node['name']} ({materialized}, {node.get('original_file_path', '')})"
    return f"{kind} {node.get('name', unique_id)}"


def _by_name(manifest: dict, model: str) -> str:
    found = [uid for uid, node in manifest["nodes"].items()
             if node["resource_type"] in ("model", "snapshot", "seed") and node["name"] == model]
    if not found:
        raise LineageError(f"no model named {model!r} in the dbt project")
    return found[0]


def is_mart(manifest: dict, unique_id: str) -> bool:
    return "/marts/" in "/" + _node(manifest, unique_id).get("original_file_path", "")


def upstream(manifest: dict, unique_id: str) -> list[str]:
    """Every node `unique_id` depends on (sources, models, seeds), nearest first."""
    return _walk(manifest["parent_map"], unique_id)


def lineage(manifest: dict, model: str) -> list[str]:
    start = _by_name(manifest, model)
    up = [u for u in _walk(manifest["parent_map"], start) if not u.startswith("test.")]
    down = [d for d in _walk(manifest["child_map"], start) if not d.startswith("test.")]
    lines = [f"lineage of {_describe(manifest, start)}", "upstream sources:"]
    lines += [f"  {_describe(manifest, u)}" for u in sorted(u for u in up if u.startswith("source."))] or ["  none"]
    lines.append("upstream models and seeds:")
    lines += [f"  {_describe(manifest, u)}" for u in up if not u.startswith("source.")] or ["  none"]
    lines.append("downstream marts and exposures:")
    marts = [d for d in down if d.startswith("exposure.") or is_mart(manifest, d)]
    lines += [f"  {_describe(manifest, d)}" for d in marts] or ["  none"]
    others = [d for d in down if d not in marts]
    if others:
        lines.append("other downstream models:")
        lines += [f"  {_describe(manifest, d)}" for d in others]
    return lines


def impact(manifest: dict, source: str) -> list[str]:
    dataset = registry.get(source).dataset
    tables = sorted(uid for uid, node in manifest["sources"].items() if node["source_name"] == dataset)
    if not tables:
        raise LineageError(f"the dbt project declares no source {dataset} (make scaffold SOURCE={source})")
    reached: dict[str, None] = {}
    for table in tables:
        for uid in _walk(manifest["child_map"], table):
            reached.setdefault(uid)
    tests = [uid for uid in reached if uid.startswith(("test.", "unit_test."))]
    built = [uid for uid in reached if uid not in tests]
    lines = [f"a change to source {source} ({dataset}: {len(tables)} tables) rebuilds "
             f"`source:{dataset}+`: {len(built)} nodes and {len(tests)} tests"]
    lines += [f"  {_describe(manifest, uid)}" for uid in built]
    return lines
