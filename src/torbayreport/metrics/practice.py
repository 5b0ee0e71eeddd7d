"""KPIs of the practice pillar (P01–P27b; see shared/spec/indicators.md).

Why split: 28 KPIs in one file would be hard to review, so they live in three modules by area of
practice — front door (P01–P06), protection and children in need (P07–P16, P25, P26), children
looked after and care leavers (P17–P24, P27a/b) — with the shared counting helpers in
``practice_common``. Importing this module registers all of them.
"""

from torbayreport.metrics import practice_care, practice_front_door, practice_protection  # noqa: F401

PRACTICE_KPIS = tuple(
    [f"P{n:02d}" for n in range(1, 27)] + ["P27a", "P27b"]
)
