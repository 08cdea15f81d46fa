"""tap-landing: each delivery in the landing folder as one Singer BATCH message.

Intake puts every delivered file in `landing/<table>/<delivery_id>/<file>`. This tap
has one stream per contract table; its catalog comes from the contract, never from the
files (an empty first night cannot lose a column). Each stream emits, in delivery order,
one BATCH message per delivery newer than its bookmark, pointing at the delivered file
itself (format `csv`, the contract's dialect: nothing is re-encoded), followed by a
STATE message whose bookmark is that delivery's id, so Meltano's state per environment
resumes after the last delivery the target acknowledged.
"""

from __future__ import annotations

import typing as t
from pathlib import Path

from singer_sdk import Stream, Tap
from singer_sdk import typing as th
from singer_sdk.helpers._batch import BaseBatchFileEncoding, BatchConfig

from extract.contract import HEADERS
from extract.intake import PARTIAL_SUFFIX

BOOKMARK = "last_delivery_id"
ENCODING = BaseBatchFileEncoding(format="csv")


class ContractViolationError(RuntimeError):
    """The catalog asks for something the contract's files cannot give."""


def deliveries(table_dir: Path, after: str | None) -> list[tuple[str, Path]]:
    """(delivery id, file) of every complete delivery newer than `after`, oldest first."""
    if not table_dir.is_dir():
        return []
    found = []
    for folder in sorted(table_dir.iterdir()):
        if folder.name.startswith(".") or folder.name.endswith(PARTIAL_SUFFIX):
            continue
        if after is not None and folder.name <= after:
            continue
        files = [path for path in folder.iterdir() if not path.name.startswith(".")]
        if len(files) != 1:
            raise ContractViolationError(f"delivery {folder} holds {len(files)} files, not one")
        found.append((folder.name, files[0]))
    return found


class DeliveryStream(Stream):
    """The deliveries of one contract table."""

    def __init__(self, tap: Tap, table: str) -> None:
        self.table = table
        schema = th.PropertiesList(
            *(th.Property(column, th.StringType) for column in HEADERS[table])
        ).to_dict()
        super().__init__(tap, schema=schema, name=table)

    @property
    def columns(self) -> list[str]:
        return list(HEADERS[self.table])

    def check_catalog(self) -> None:
        """Fail loudly rather than land rows without a contract column."""
        properties = (self._input_schema or self.schema).get("properties", {})
        missing = [column for column in self.columns if column not in properties]
        deselected = [
            column for column in self.columns if not self.mask.get(("properties", column), True)
        ]
        if missing or deselected:
            raise ContractViolationError(
                f"stream {self.name}: the catalog lacks {missing} and deselects {deselected}; "
                "every contract column is landed (the files carry them all): fix the "
                "catalog (`meltano run --refresh-catalog`) or the Meltano `select`, or "
                "deselect the whole stream"
            )

    def get_batch_config(self, config: t.Mapping[str, t.Any]) -> BatchConfig | None:
        # Always batches: the delivered file is the batch.
        return BatchConfig.from_dict(
            {"encoding": {"format": "csv"}, "storage": {"root": "file://"}}
        )

    def get_batches(
        self, batch_config: BatchConfig, context: t.Any = None
    ) -> t.Iterable[tuple[BaseBatchFileEncoding, list[str]]]:
        self.check_catalog()
        table_dir = Path(self.config["landing_dir"]) / self.table
        after = self.stream_state.get(BOOKMARK)
        pending = deliveries(table_dir, after)
        self.logger.info("%s: %d new deliveries after %s", self.name, len(pending), after or "none")
        for delivery_id, path in pending:
            # The bookmark first: the SDK writes the STATE message right after the BATCH.
            self.stream_state[BOOKMARK] = delivery_id
            yield ENCODING, [path.resolve().as_uri()]

    def get_records(self, context: t.Any) -> t.Iterable[dict[str, t.Any]]:
        raise ContractViolationError("tap-landing emits BATCH messages only")


class TapLanding(Tap):
    """Deliveries of the contract's files, as BATCH messages of the delivered files."""

    name = "tap-landing"
    config_jsonschema = th.PropertiesList(
        th.Property(
            "landing_dir",
            th.StringType,
            required=True,
            description="The landing folder intake writes: <table>/<delivery_id>/<file>.",
        ),
    ).to_dict()

    def discover_streams(self) -> list[Stream]:
        return [DeliveryStream(self, table) for table in HEADERS]


def main() -> None:
    TapLanding.cli()


if __name__ == "__main__":
    main()
