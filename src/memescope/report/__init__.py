"""The report: report.json (documented, stable keys), figures (functions returning matplotlib Figures)
and a self-contained report.html composed from them."""

from .build import SCHEMA, build_report
from .write import write_report

__all__ = ["SCHEMA", "build_report", "write_report"]
