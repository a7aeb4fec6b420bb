"""Stage 4 — export: the dataset on disk (partitioned Parquet tables, per-document JSON)."""

from vnplan.export.dataset import (
    PARTITION_KEY,
    SCHEMA_VERSION,
    document_json,
    migrate_layout,
    partition_of,
    remove_partition,
    write_agencies,
    write_atomic,
    write_dataset,
    write_dataset_info,
    write_document_json,
    write_partition,
)

__all__ = [
    "PARTITION_KEY",
    "SCHEMA_VERSION",
    "document_json",
    "migrate_layout",
    "partition_of",
    "remove_partition",
    "write_agencies",
    "write_atomic",
    "write_dataset",
    "write_dataset_info",
    "write_document_json",
    "write_partition",
]
