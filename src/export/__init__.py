"""Stage 4 — export: the dataset on disk (Parquet tables and per-document JSON)."""

from vnplan.export.dataset import write_dataset

__all__ = ["write_dataset"]
