"""Assessment layer: targets and RAG, direction of travel, benchmarks, SPC, plan tracker, summary.

Sits between ``metrics`` and ``disclose``: it may import ``torbayreport.metrics`` and
``torbayreport.io`` and nothing downstream. The main entry is :func:`assess`, which extends the
tidy metrics table with every judgement the report shows (columns :data:`ASSESSED_COLUMNS`).
"""

from torbayreport.assess.assessment import ASSESSED_COLUMNS, assess
from torbayreport.assess.benchmarks import benchmark_columns, load_benchmarks
from torbayreport.assess.narrative import Summary, summarise, summary_sentences
from torbayreport.assess.params import ParamsError, kpi_settings, load_params
from torbayreport.assess.plan_tracker import PlanSummary, overdue_actions, plan_tracker, rag_changes, rag_counts
from torbayreport.assess.rag import direction, rag
from torbayreport.assess.spc import assurance, pchart, variation, xmr

__all__ = [
    "ASSESSED_COLUMNS", "assess",
    "load_params", "kpi_settings", "ParamsError",
    "xmr", "pchart", "variation", "assurance",
    "rag", "direction",
    "load_benchmarks", "benchmark_columns",
    "plan_tracker", "PlanSummary", "rag_counts", "overdue_actions", "rag_changes",
    "summarise", "summary_sentences", "Summary",
]
