"""KPIs of the practice pillar (P01–P27b; see shared/spec/indicators.md).

Why split: 28 KPIs in one file would be hard to review, so they live in three modules by area of
practice — front door (P01–P06), protection and children in need (P07–P16, P25, P26), children
looked after and care leavers (P17–P24, P27a/b) — with the shared counting helpers in
``practice_common``. Importing this module registers all of them.
"""

from torbayreport.metrics import practice_care, practice_front_door, practice_protection  # noqa: F401
from torbayreport.metrics.registry import REGISTRY

# Read from the declarations, so a new practice KPI is listed without editing this file.
PRACTICE_KPIS = tuple(sorted(kpi_id for kpi_id, kpi in REGISTRY.items() if kpi.pillar == "practice"))
