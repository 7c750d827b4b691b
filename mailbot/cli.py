"""The `mailbot` command: run, check, demo, extract, classify, replay."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from . import __version__
from .errors import MailbotError

log = logging.getLogger("mailbot")


class _Redact(logging.Filter):
    """Secrets never reach a log line, whatever a library decides to print."""

    def __init__(self, secrets: list[str]):
        super().__init__()
        self.secrets = [s for s in secrets if s and len(s) >= 4]

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            text = record.getMessage()
            for s in self.secrets:
                text = text.replace(s, "**REDACTED**")
            record.msg, record.args = text, ()
        return True


def _logging(verbose: bool, secrets: list[str]) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(_Redact(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    logging.getLogger("imapclient").setLevel(logging.WARNING)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="mailbot", description="Receivables follow-up by email alone. See README.md.")
    p.add_argument("--version", action="version", version=f"mailbot {__version__}")
    p.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("run", help="watch the mailbox and send reminders (embedded local mailbox when no IMAP/SMTP is set)")
    sub.add_parser("check", help="validate settings, rules.yaml and templates, try both connections")
    d = sub.add_parser("demo", help="tell a whole story on the embedded setup with a simulated clock")
    d.add_argument("--out", type=Path, default=Path("demo-out"), help="where to keep the demo's data and mail (default: demo-out)")
    e = sub.add_parser("extract", help="read an invoice (PDF, XML or .eml) and print its fields")
    e.add_argument("path", type=Path)
    e.add_argument("--json", action="store_true")
    c = sub.add_parser("classify", help="read an email and print what mailbot understands of it")
    c.add_argument("path", type=Path)
    c.add_argument("--json", action="store_true")
    c.add_argument("--owner", action="append", default=[], help="an owner address (repeatable)")
    sub.add_parser("replay", help="re-run quarantined messages that failed in a handler, after a fix")
    # Commands implemented in their own modules; each takes the rest of the command line.
    for name, help_text in DELEGATED.items():
        sub.add_parser(name, help=help_text, add_help=False)
    return p


# command -> (module, help). Each module has `main(argv: list[str]) -> int`.
DELEGATED = {
    "preview": "write the next reminder of an invoice to files (text, HTML, attachments)",
    "simulate": "print what would be sent, when and to whom, over the coming days; sends nothing",
    "status": "print the open files as a table",
    "import": "register open invoices from a CSV or XLSX export",
    "digest": "print the weekly digest and write it as .eml and .html",
    "export": "write every receivable to a CSV (and XLSX) file",
}
_DELEGATED_MODULES = {
    "extract": "mailbot.cli_extract",
    "classify": "mailbot.cli_classify",
    "preview": "mailbot.cli_engine",
    "simulate": "mailbot.cli_engine",
    "status": "mailbot.cli_owner",
    "import": "mailbot.cli_owner",
    "digest": "mailbot.cli_owner",
    "export": "mailbot.cli_owner",
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args, _ = parser.parse_known_args(argv)
    if args.command in _DELEGATED_MODULES:
        import importlib

        try:
            module = importlib.import_module(_DELEGATED_MODULES[args.command])
        except ModuleNotFoundError:
            print(f"mailbot {args.command}: not available in this version", file=sys.stderr)
            return 2
        rest = argv[argv.index(args.command) + 1 :]
        if args.command in ("preview", "simulate", "status", "import", "digest", "export"):
            rest = [args.command, *rest]
        try:
            return module.main(rest)
        except MailbotError as exc:
            print(f"mailbot: {exc}", file=sys.stderr)
            return 2
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        if args.command == "demo":
            from .demo import run_demo

            return run_demo(args.out)
        from .app import check, replay, run

        return {"run": run, "check": check, "replay": replay}[args.command](verbose=args.verbose, configure_logging=_logging)
    except MailbotError as exc:
        print(f"mailbot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
