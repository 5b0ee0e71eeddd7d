"""Input/output: the canonical data model, its loaders (CSV folder, Annex A workbook), validation and writers.

Public API: ``load(path) -> LoadResult``, ``write_csv_folder(tables, out_dir)``,
``write_annex_a(tables, out_dir)``, ``Finding``, ``LoadResult``, ``LoadError``, ``RULES``.
"""

from torbayreport.io.findings import Finding, LoadError, LoadResult, Source
from torbayreport.io.schema import SCHEMA, empty_tables, tables_from


def load(path):
    """See :func:`torbayreport.io.load.load`."""
    from torbayreport.io.load import load as _load

    return _load(path)


def write_csv_folder(tables, out_dir):
    """See :func:`torbayreport.io.write.write_csv_folder`."""
    from torbayreport.io.write import write_csv_folder as _write

    return _write(tables, out_dir)


def write_annex_a(tables, out_dir):
    """See :func:`torbayreport.io.annex_a.write_annex_a`."""
    from torbayreport.io.annex_a import write_annex_a as _write

    return _write(tables, out_dir)


def __getattr__(name):
    if name == "RULES":
        from torbayreport.io.rules import RULES

        return RULES
    raise AttributeError(name)


__all__ = ["Finding", "LoadError", "LoadResult", "Source", "SCHEMA", "empty_tables", "tables_from",
           "load", "write_csv_folder", "write_annex_a", "RULES"]
