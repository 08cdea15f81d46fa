"""target-bulk: land each BATCH file with the engine (DuckDB `read_csv`, PostgreSQL COPY).

A BATCH message of format `csv` names delivered files, `<table>/<delivery_id>/<file>`
(tap-landing). Each one is landed by extract.landing.loaders in one transaction with
its ledger row, so a delivery is never landed twice, whatever was killed when. The raw
table of every stream in the catalog is created (or given missing columns) when its
SCHEMA arrives, before any file: an empty first night still creates every column.
RECORD messages are refused: per-record loading is the slow path this target replaces.
"""

from __future__ import annotations

import typing as t
from pathlib import Path
from urllib.parse import unquote, urlparse

from singer_sdk import Sink, Target
from singer_sdk import typing as th
from singer_sdk.helpers._batch import BaseBatchFileEncoding

from extract.landing.dialect import header_of
from extract.landing.loaders import Delivery, DuckDBLoader, Loader, PostgresLoader


class NotABatchError(RuntimeError):
    """The input is not what this target lands."""


def _path(url: str) -> Path:
    parsed = urlparse(url)
    if parsed.scheme not in ("", "file"):
        raise NotABatchError(f"batch file {url}: only local files are landed")
    return Path(unquote(parsed.path))


class BulkSink(Sink):
    """One raw table; each batch file is one delivery."""

    def __init__(
        self,
        target: TargetBulk,
        stream_name: str,
        schema: dict[str, t.Any],
        key_properties: t.Sequence[str] | None,
    ) -> None:
        super().__init__(target, stream_name, schema, key_properties)
        self.columns = [
            name for name in schema.get("properties", {}) if not name.startswith("_sdc_")
        ]
        if not self.columns:
            raise NotABatchError(
                f"stream {stream_name}: the schema has no data columns; refusing to land rows "
                "without them (rediscover the tap's catalog)"
            )
        self.loader = target.loader
        self.loader.ensure_table(stream_name, self.columns)

    def process_record(self, record: dict[str, t.Any], context: dict[str, t.Any]) -> None:
        raise NotABatchError(
            f"stream {self.stream_name}: RECORD messages are not landed, only BATCH"
        )

    def process_batch(self, context: dict[str, t.Any]) -> None:
        if context.get("records"):
            raise NotABatchError(f"stream {self.stream_name}: RECORD messages are not landed")

    def process_batch_files(self, encoding: BaseBatchFileEncoding, files: t.Sequence[str]) -> None:
        if encoding.format != "csv" or encoding.compression not in (None, "none"):
            raise NotABatchError(
                f"stream {self.stream_name}: batch encoding {encoding} is not the contract's CSV"
            )
        for url in files:
            path = _path(url)
            header = header_of(path)
            if header != self.columns:
                raise NotABatchError(
                    f"{path}: header {header} differs from the stream's columns {self.columns}"
                )
            delivery = Delivery(table=self.stream_name, delivery_id=path.parent.name, path=path)
            result = self.loader.load(delivery, self.columns)
            if result.skipped:
                self.logger.info(
                    "%s: delivery %s already landed, skipped", path.name, delivery.delivery_id
                )
                continue
            self.record_counter_metric.increment(result.rows)
            self.logger.info(
                "%s: landed %d rows (%d malformed) of delivery %s in %.2f s (%.0f rows/s)",
                path.name,
                result.rows,
                result.malformed_rows,
                delivery.delivery_id,
                result.seconds,
                result.rows / result.seconds if result.seconds else 0,
            )


class TargetBulk(Target):
    """Bulk loader of the contract's CSV batch files into DuckDB or PostgreSQL."""

    name = "target-bulk"
    default_sink_class = BulkSink
    config_jsonschema = th.PropertiesList(
        th.Property(
            "engine",
            th.StringType,
            allowed_values=["duckdb", "postgres"],
            default="duckdb",
            description="duckdb (read_csv into the file) or postgres (COPY).",
        ),
        th.Property("schema", th.StringType, default="raw", description="The raw schema."),
        th.Property("duckdb_path", th.StringType, description="The DuckDB warehouse file."),
        th.Property("host", th.StringType),
        th.Property("port", th.IntegerType),
        th.Property("user", th.StringType),
        th.Property("password", th.StringType, secret=True),
        th.Property("database", th.StringType),
        th.Property("sslmode", th.StringType, default="prefer"),
    ).to_dict()

    _loader: Loader | None = None

    @property
    def loader(self) -> Loader:
        if self._loader is None:
            self._loader = self._connect()
        return self._loader

    def _connect(self) -> Loader:
        config = self.config
        if config["engine"] == "duckdb":
            if not config.get("duckdb_path"):
                raise NotABatchError("engine duckdb needs duckdb_path")
            return DuckDBLoader(Path(config["duckdb_path"]), schema=config["schema"])
        from psycopg.conninfo import make_conninfo

        settings = {
            "host": config.get("host"),
            "port": config.get("port"),
            "user": config.get("user"),
            "password": config.get("password"),
            "dbname": config.get("database"),
            "sslmode": config.get("sslmode"),
        }
        # Unset settings fall back to libpq's PG* environment variables.
        conninfo = make_conninfo(**{key: str(value) for key, value in settings.items() if value})
        return PostgresLoader(conninfo, schema=config["schema"])

    def process_endofpipe(self) -> None:
        super().process_endofpipe()
        if self._loader is not None:
            self._loader.close()


def main() -> None:
    TargetBulk.cli()


if __name__ == "__main__":
    main()
