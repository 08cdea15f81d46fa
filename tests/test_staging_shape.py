"""Staging models read top to bottom, in jaffle-shop's shape.

From dbt's manifest after `dbt compile` (an empty warehouse: nothing is run), for every
staging model: its file names every column it documents (none is hidden in a macro), the
compiled SQL holds one `with` (no query nested inside a CTE by a macro) and ends in one
final select from its last CTE.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.dbt_manifest import compile_manifest

COMMENT = re.compile(r"--[^\n]*|/\*.*?\*/", re.S)
STRING = re.compile(r"'(?:[^']|'')*'")
WITH = re.compile(r"\bwith\b", re.I)
CTE = re.compile(r"\b(\w+)\s+as\s*\(", re.I)
FINAL_SELECT = re.compile(r"\)\s*select\s+\*\s+from\s+(\w+)\s*$", re.I)


@pytest.fixture(scope="module")
def staging_models(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    manifest = compile_manifest(tmp_path_factory.mktemp("staging_shape"), "path:models/staging")
    models = [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and node["original_file_path"].startswith("models/staging/")
    ]
    assert models
    return sorted(models, key=lambda node: str(node["name"]))


def sql_code(sql: str) -> str:
    """`sql` without its comments and string literals."""
    return STRING.sub("''", COMMENT.sub(" ", sql))


def columns_not_named(raw_sql: str, columns: list[str]) -> list[str]:
    """The documented columns a model's own file never names."""
    code = sql_code(raw_sql)
    return [column for column in columns if not re.search(rf"\b{re.escape(column)}\b", code)]


def shape_problems(compiled_sql: str) -> list[str]:
    """How a compiled staging model departs from one `with`, CTEs, one final select."""
    code = sql_code(compiled_sql).strip()
    problems = []
    withs = len(WITH.findall(code))
    if withs != 1:
        problems.append(f"{withs} `with` keywords (a query nested inside a CTE?)")
    ctes = CTE.findall(code)
    final = FINAL_SELECT.search(code)
    if not final:
        problems.append("does not end in `select * from <cte>`")
    elif not ctes or final.group(1) != ctes[-1]:
        problems.append(f"the final select reads {final.group(1)}, not the last CTE")
    return problems


def test_every_staging_model_names_the_columns_it_documents(
    staging_models: list[dict[str, Any]],
) -> None:
    hidden = {
        model["name"]: missing
        for model in staging_models
        if (missing := columns_not_named(model["raw_code"], list(model["columns"])))
    }
    assert not hidden, hidden
    assert all(model["columns"] for model in staging_models)


def test_compiled_staging_sql_has_one_with_and_one_final_select(
    staging_models: list[dict[str, Any]],
) -> None:
    problems = {
        model["name"]: found
        for model in staging_models
        if (found := shape_problems(model["compiled_code"]))
    }
    assert not problems, problems


def test_the_checks_see_a_hidden_column_and_a_nested_with() -> None:
    model = "with source as (select * from raw),\n{{ typed_columns() }}\nselect * from source"
    assert columns_not_named(model, ["order_id", "source"]) == ["order_id"]
    assert columns_not_named("select 1 as x -- order_id", ["order_id"]) == ["order_id"]

    nested = (
        "with\nevents as (\n    with landed as (select 1) select * from landed\n)\n"
        "select * from events"
    )
    assert shape_problems(nested) == [
        "2 `with` keywords (a query nested inside a CTE?)",
        "the final select reads events, not the last CTE",
    ]
    unordered = "with\na as (select 1),\nb as (select 2)\nselect * from a"
    assert shape_problems(unordered) == ["the final select reads a, not the last CTE"]
    assert shape_problems("with\na as (select 'with')\nselect * from a") == []
    assert shape_problems("select 1") == [
        "0 `with` keywords (a query nested inside a CTE?)",
        "does not end in `select * from <cte>`",
    ]
