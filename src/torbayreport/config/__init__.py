"""Configuration declared once and read by every layer: the report parameters (:mod:`.params`)
and the report's audiences, chapters and output formats (:mod:`.report`).

This package imports nothing else from torbayreport, so every layer may import it.
"""

from torbayreport.config.params import (
    ParamsError,
    Params,
    deep_merge,
    defaults_path,
    load_params,
    merge_sources,
    month_file,
)
from torbayreport.config.report import (
    NOTEBOOKS_DIR,
    PROJECT_ROOT,
    REPORT_PROJECT_DIR,
    Audience,
    ConfigError,
    audience,
    audience_chapters,
    audiences,
    chapters,
    optional_chapters,
    output_formats,
    project_config,
)

__all__ = [
    "ParamsError", "Params", "deep_merge", "defaults_path", "load_params", "merge_sources", "month_file",
    "NOTEBOOKS_DIR", "PROJECT_ROOT", "REPORT_PROJECT_DIR", "Audience", "ConfigError", "audience",
    "audience_chapters", "audiences", "chapters", "optional_chapters", "output_formats", "project_config",
]
