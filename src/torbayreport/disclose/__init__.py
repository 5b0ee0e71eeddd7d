"""Disclosure control: what each audience may see (research note §B; DESIGN.md "Audiences").

Runs after ``assess`` and before any notebook: ``apply(assessed, audience=...)`` adds the
display text and suppressed flags every table, chart and sentence must use, and for the public
audience withholds small counts (1..threshold -> ``[c]``) with secondary suppression, then proves
with an LP audit that nothing withheld can be worked out. ``identifiers`` guards public outputs
against child and worker identifiers.

Modules: ``cells`` (cell tables, relations, DisclosureError) · ``suppression`` (primary +
secondary) · ``audit`` (linprog intervals) · ``relations`` (one builder per relation type) ·
``kpi_table`` (apply to the KPI table, blank_for_public) · ``formatting`` · ``symbols`` ·
``identifiers`` (normalised identifier matching) · ``guard`` (the one scan of every public output
file) · ``text`` (free text into markdown, inert) · ``csvsafe`` (CSV cells safe in a spreadsheet).
"""

from torbayreport.disclose.audit import AuditResult, Interval, audit
from torbayreport.disclose.cells import CellTable, DisclosureError, Relation, table_from
from torbayreport.disclose.formatting import format_count, format_number, format_value
from torbayreport.disclose.csvsafe import neutralise, read_csv, restore, write_csv
from torbayreport.disclose.guard import allow_list, find_leaks, guard_public_outputs, public_index, searchable_text
from torbayreport.disclose.identifiers import (
    IdentifierIndex, Sensitive, assert_no_identifiers, sensitive_identifiers, sensitive_values,
)
from torbayreport.disclose.kpi_table import (
    DERIVED_COLUMNS, DISPLAY_COLUMNS, FLAG_COLUMNS, Protection, apply, blank_for_public, protect, withhold_derived,
)
from torbayreport.disclose.relations import cell_id, kpi_month, rolling_relations, sum_relations
from torbayreport.disclose.suppression import Suppression, check_threshold, suppress
from torbayreport.disclose.symbols import SYMBOLS, key_markdown, symbols_used
from torbayreport.disclose.text import inert_cells, inert_inline, inert_literal, inert_markdown

__all__ = [
    "apply", "protect", "blank_for_public", "withhold_derived", "check_threshold",
    "Protection", "DISPLAY_COLUMNS", "FLAG_COLUMNS", "DERIVED_COLUMNS",
    "format_value", "format_count", "format_number",
    "SYMBOLS", "key_markdown", "symbols_used",
    "suppress", "Suppression", "audit", "AuditResult", "Interval",
    "CellTable", "Relation", "table_from", "DisclosureError",
    "cell_id", "kpi_month", "sum_relations", "rolling_relations",
    "sensitive_values", "sensitive_identifiers", "Sensitive", "assert_no_identifiers", "IdentifierIndex",
    "guard_public_outputs", "find_leaks", "public_index", "allow_list", "searchable_text",
    "inert_markdown", "inert_inline", "inert_literal", "inert_cells",
    "neutralise", "restore", "write_csv", "read_csv",
]
