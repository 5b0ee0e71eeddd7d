"""Input/output: the canonical data model, its loaders (CSV folder, Annex A workbook), validation and writers.

Public API: ``load(path, *, as_at=None, aliases=None) -> LoadResult`` (``.tables``, ``.findings``,
``.as_at``, ``.as_at_source``, ``.origins``, ``raise_for_errors()``; ``.tables`` is a dict that also
carries ``.origins``: per table a ``TableOrigin`` saying where its rows came from and from which
month they are a full history, which ``metrics.coverage`` reads), ``write_csv_folder(tables, out_dir)``,
``write_annex_a(tables, out_dir)``, ``sha256_file(path)``, ``Finding``, ``LoadResult``, ``LoadError``, ``RULES`` (every
validation check, in one registry).
"""

from torbayreport.io.annex_a import write_annex_a
from torbayreport.io.findings import Finding, LoadedTables, LoadError, LoadResult, Source, TableOrigin
from torbayreport.io.loader import load, sha256_file
from torbayreport.io.rules import RULES
from torbayreport.io.schema import SCHEMA, empty_tables, tables_from
from torbayreport.io.write import write_csv_folder

__all__ = ["Finding", "LoadError", "LoadResult", "LoadedTables", "Source", "TableOrigin", "SCHEMA", "empty_tables", "tables_from",
           "load", "sha256_file", "write_csv_folder", "write_annex_a", "RULES"]
