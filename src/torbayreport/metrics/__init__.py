"""The KPI catalogue and the engine that computes it for a window of months.

Importing this package registers every KPI (one module per pillar).
"""

from torbayreport.metrics import leadership, practice, quality, workforce  # noqa: F401  (registers KPIs)
from torbayreport.metrics.engine import METRIC_COLUMNS, compute
from torbayreport.metrics.registry import REGISTRY, KPI

__all__ = ["REGISTRY", "KPI", "compute", "METRIC_COLUMNS"]
