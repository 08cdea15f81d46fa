"""Every model, seed, snapshot, column, source, macro and macro argument is described.

Read from dbt's manifest after `dbt parse`, so the check is generic: whatever a model or
macro is renamed to, an entry without a description (or a macro argument missing from
macros/_macros.yml) fails with its name.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.dbt_manifest import parse_manifest

PROJECT = "telestream"
DOCUMENTED_NODES = ("model", "seed", "snapshot")
# `{% macro name(a, b=1) %}` or `{% test name(model, column_name) %}`: the argument list.
SIGNATURE = re.compile(r"{%-?\s*(?:macro|test)\s+\w+\s*\((?P<arguments>.*?)\)\s*-?%}", re.S)


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return parse_manifest(tmp_path_factory.mktemp("docs_coverage"))


def _blank(entry: dict[str, Any]) -> bool:
    return not str(entry.get("description") or "").strip()


def signature_arguments(macro_sql: str) -> list[str]:
    """The argument names of a macro or generic test, from its definition."""
    match = SIGNATURE.search(macro_sql)
    assert match, macro_sql[:200]
    names = []
    depth = 0
    quote = ""
    current = ""
    for char in match["arguments"] + ",":
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        if char == "," and depth == 0 and not quote:
            if current.strip():
                names.append(current.split("=")[0].strip())
            current = ""
        else:
            current += char
    return names


def undocumented_nodes(manifest: dict[str, Any]) -> list[str]:
    missing = []
    for unique_id, node in sorted(manifest["nodes"].items()):
        if node["resource_type"] not in DOCUMENTED_NODES or node["package_name"] != PROJECT:
            continue
        if _blank(node):
            missing.append(unique_id)
        missing += [
            f"{unique_id}.{name}" for name, column in node["columns"].items() if _blank(column)
        ]
    return missing


def undocumented_sources(manifest: dict[str, Any]) -> list[str]:
    missing = []
    for unique_id, source in sorted(manifest["sources"].items()):
        if not str(source.get("source_description") or "").strip():
            missing.append(f"source {source['source_name']}")
        if _blank(source):
            missing.append(unique_id)
        missing += [
            f"{unique_id}.{name}" for name, column in source["columns"].items() if _blank(column)
        ]
    return sorted(set(missing))


def undocumented_macros(manifest: dict[str, Any]) -> list[str]:
    missing = []
    for unique_id, macro in sorted(manifest["macros"].items()):
        if macro["package_name"] != PROJECT:
            continue
        if _blank(macro):
            missing.append(unique_id)
            continue
        documented = {argument["name"]: argument for argument in macro["arguments"]}
        for name in signature_arguments(macro["macro_sql"]):
            if name not in documented or _blank(documented[name]):
                missing.append(f"{unique_id}({name})")
        missing += [
            f"{unique_id}({name}) is documented but not an argument"
            for name in documented
            if name not in signature_arguments(macro["macro_sql"])
        ]
    return missing


def test_every_model_seed_snapshot_and_column_is_described(manifest: dict[str, Any]) -> None:
    missing = undocumented_nodes(manifest)
    assert not missing, "undocumented:\n" + "\n".join(missing)


def test_every_source_table_and_column_is_described(manifest: dict[str, Any]) -> None:
    missing = undocumented_sources(manifest)
    assert not missing, "undocumented:\n" + "\n".join(missing)


def test_every_macro_and_generic_test_is_described_with_its_arguments(
    manifest: dict[str, Any],
) -> None:
    missing = undocumented_macros(manifest)
    assert not missing, "undocumented:\n" + "\n".join(missing)


def test_the_check_sees_a_missing_description() -> None:
    manifest = {
        "nodes": {
            "model.telestream.m": {
                "resource_type": "model",
                "package_name": PROJECT,
                "description": "One row per thing.",
                "columns": {"a": {"description": "A."}, "b": {"description": " "}},
            }
        },
        "macros": {
            "macro.telestream.f": {
                "package_name": PROJECT,
                "description": "Does f.",
                "arguments": [{"name": "x", "description": "The x."}],
                "macro_sql": "{% macro f(x, y=[1, 2]) %}{% endmacro %}",
            }
        },
    }
    assert undocumented_nodes(manifest) == ["model.telestream.m.b"]
    assert undocumented_macros(manifest) == ["macro.telestream.f(y)"]


def test_signature_arguments_reads_defaults_and_tests() -> None:
    sql = "{% test t(model, column_name, values=['a', 'b'], quote=true) %}select 1{% endtest %}"
    assert signature_arguments(sql) == ["model", "column_name", "values", "quote"]
    assert signature_arguments("{%- macro g() -%}{%- endmacro %}") == []
    quoted = "{% macro d(events, order_by='lsn desc, offset desc') -%}{%- endmacro %}"
    assert signature_arguments(quoted) == ["events", "order_by"]
