"""No YAML file of the project repeats a key in one mapping.

YAML keeps the last of two equal keys, so a test's second `config:` silently drops the
first one's `where` (dbt only warns, DuplicateYAMLKeysDeprecation): the test then runs
on all history, or a severity vanishes. Checked on every YAML file dbt and Meltano read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("models", "macros", "seeds", "snapshots", "analyses", "tests")
TOP_LEVEL = ("dbt_project.yml", "profiles.yml", "meltano.yml")


class DuplicateKeyError(yaml.constructor.ConstructorError):
    pass


class UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses a mapping holding the same key twice."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise DuplicateKeyError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def project_yaml_files() -> list[Path]:
    files = [ROOT / name for name in TOP_LEVEL]
    for folder in FOLDERS:
        files += sorted((ROOT / folder).rglob("*.yml"))
    return files


@pytest.mark.parametrize("path", project_yaml_files(), ids=lambda path: str(path.relative_to(ROOT)))
def test_no_mapping_repeats_a_key(path: Path) -> None:
    yaml.load(path.read_text(), Loader=UniqueKeyLoader)


def test_the_loader_sees_a_repeated_key() -> None:
    repeated = (
        "tests:\n  - unique:\n      config: {where: 'x > 1'}\n      config: {severity: warn}\n"
    )
    with pytest.raises(DuplicateKeyError, match="duplicate key 'config'"):
        yaml.load(repeated, Loader=UniqueKeyLoader)
