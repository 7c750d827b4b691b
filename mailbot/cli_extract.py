"""`mailbot extract PATH [--json]`: show what intake reads from an invoice file.

Exit 0 even when fields are missing (that is an answer); 1 when the file cannot be read,
with the reason on stderr; 2 for a usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from mailbot.errors import ExtractionError, InputRejected
from mailbot.intake import extract_path
from mailbot.intake.fields import CONFIDENT, JSON_KEYS, InvoiceFields


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="mailbot extract", description="Read an invoice (.pdf, .xml, .eml).")
    parser.add_argument("path", type=Path)
    parser.add_argument("--json", action="store_true", help="print the fields as JSON")
    args = parser.parse_args(argv)
    try:
        fields = extract_path(args.path)
    except (ExtractionError, InputRejected) as exc:
        print(f"mailbot extract: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(fields.to_json(), ensure_ascii=False, indent=2))
    else:
        print(human(fields))
    return 0


def human(fields: InvoiceFields) -> str:
    """One line per field: value, confidence, and '?' for what the owner would be asked."""
    data = fields.to_json()
    width = max(len(k) for k in JSON_KEYS)
    lines = [f"source: {fields.source or '-'}" + (f" ({fields.syntax})" if fields.syntax else "")]
    for key in JSON_KEYS:
        value = data[key]
        conf = fields.confidence.get(key)
        mark = "" if value is None else ("" if (conf or 0) >= CONFIDENT else "  ? (unsure, would ask)")
        shown = "-" if value is None else str(value)
        lines.append(f"{key:<{width}}  {shown}" + (f"  [{conf:.2f}]" if conf is not None and value is not None else "") + mark)
    missing = fields.missing()
    if missing:
        lines.append(f"to ask the owner: {', '.join(missing)}")
    for warning in fields.warnings:
        lines.append(f"warning: {warning}")
    return "\n".join(lines)
