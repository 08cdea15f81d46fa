"""Custom schemas: bare names on the shared targets, per person on the development one."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.dbt_manifest import parse_manifest

# One node of each kind that sets a custom schema.
NODES = {
    "model.telestream.fct_calls": "marts",
    "model.telestream.stg_shop__orders": "staging",
    "model.telestream.int_cdrs__rated": "intermediate",
    "seed.telestream.regions": "staging",
}


def _schemas(manifest: dict[str, object], ids: list[str]) -> dict[str, str]:
    nodes = manifest["nodes"]
    assert isinstance(nodes, dict)
    return {unique_id: nodes[unique_id]["schema"] for unique_id in ids}


@pytest.mark.parametrize("target", ["duckdb", "postgres"])
def test_shared_targets_keep_the_bare_schema_names(tmp_path: Path, target: str) -> None:
    manifest = parse_manifest(tmp_path, target)
    assert _schemas(manifest, list(NODES)) == NODES
    fct_calls = manifest["nodes"]["model.telestream.fct_calls"]["relation_name"]
    assert fct_calls.endswith('"marts"."fct_calls"'), fct_calls


def test_development_target_prefixes_the_schemas_with_the_target_schema(tmp_path: Path) -> None:
    manifest = parse_manifest(tmp_path, "postgres_dev", TELESTREAM_PG_DEV_SCHEMA="alice")
    expected = {unique_id: f"alice_{schema}" for unique_id, schema in NODES.items()}
    assert _schemas(manifest, list(NODES)) == expected
    assert manifest["nodes"]["model.telestream.fct_calls"]["relation_name"] == (
        '"warehouse"."alice_marts"."fct_calls"'
    )
    # Sources stay where the loaders write them, shared by everyone.
    sources = {source["schema"] for source in manifest["sources"].values()}
    assert sources == {"raw"}
