"""The report: report.json (documented, stable keys), figures (functions returning matplotlib Figures)
and a self-contained report.html composed from them."""

from pathlib import Path

from .build import SCHEMA, build_report
from .write import write_report

# report.json's JSON Schema (draft 2020-12): what every key holds; `validate_report` checks a report by it
SCHEMA_FILE = Path(__file__).with_name("report.schema.json")


def validate_report(report: dict) -> None:
    """Raise jsonschema.ValidationError if `report` does not follow report.schema.json (needs jsonschema,
    in the `test` extra)."""
    import json

    import jsonschema

    jsonschema.validate(report, json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))


__all__ = ["SCHEMA", "SCHEMA_FILE", "build_report", "validate_report", "write_report"]
