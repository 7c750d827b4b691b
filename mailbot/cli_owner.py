"""`mailbot status`, `mailbot import FILE`, `mailbot digest`, `mailbot export`: the owner's tools at the terminal.

Also the few glue functions that read the store for the pure modules (digest, export), so the
command handler and the daemon's weekly slot call one function each (see ARCHITECTURE.md).
`rich` draws the table and the progress bar; it is imported only here, inside the commands.
"""

from __future__ import annotations

import argparse
import email.policy
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from .compose import Attachment, Rendered, Templates, build_message
from .config import Settings, load_settings
from .digest import Digest, DigestPolicy, build_digest, render_digest
from .errors import MailbotError
from .export import client_statement, export_rows, file_history, status_view, to_csv, to_xlsx
from .importer import ImportPlan, ImportRefused, read_table, register
from .ledger import Ledger
from .models import Receivable
from .rules import Rules, load_rules
from .store import DataDirLock, Store


# -- glue for the handler, the daemon and the demo ---------------------------------------------

def load_books(store: Store) -> tuple[list[Receivable], list[dict[str, Any]]]:
    """Every receivable and every event, as the pure modules take them."""
    return Ledger(store).all(), [dict(e) for e in store.table("events").all()]


def digest_now(store: Store, rules: Rules, settings: Settings, now: datetime, **policy: Any) -> Digest:
    receivables, events = load_books(store)
    return build_digest(receivables, events, now, settings.timezone, business=rules.business.name,
                        policy=DigestPolicy.from_rules(rules, **policy))


def export_attachments(store: Store, rules: Rules, settings: Settings, now: datetime) -> tuple[list[Attachment], dict[str, Any]]:
    """The CSV and XLSX of every receivable, and the context for `owner/export.j2`."""
    receivables, events = load_books(store)
    today = now.astimezone(settings.timezone).date()
    rows = export_rows(receivables, events, today, rules.stages, settings.timezone)
    lang = rules.business.language
    stem = f"receivables-{today.isoformat()}"
    files = [Attachment(f"{stem}.csv", "text/csv", to_csv(rows, lang))]
    try:
        files.append(Attachment(f"{stem}.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                                to_xlsx(rows, lang)))
    except ModuleNotFoundError:  # openpyxl missing: the CSV alone still does the job
        pass
    totals: dict[str, Any] = {}
    for r in rows:
        if r.status == "open":
            totals[r.currency] = totals.get(r.currency, 0) + (r.amount_due or 0)
    return files, {"today": today, "count": len(rows), "files": [a.filename for a in files], "totals": dict(sorted(totals.items()))}


def status_context(store: Store, rules: Rules, settings: Settings, now: datetime, query: str | None = None) -> dict[str, Any]:
    """Context for `owner/status.j2`: all open files, or one client's statement when `query` is given."""
    receivables, events = load_books(store)
    today = now.astimezone(settings.timezone).date()
    rows = status_view(export_rows(receivables, events, today, rules.stages, settings.timezone))
    statements = client_statement(query, receivables, events, today, rules.stages, settings.timezone) if query else []
    return {"today": today, "rows": rows, "query": query, "statements": statements}


def history_context(store: Store, settings: Settings, number: str) -> dict[str, Any]:
    """Context for `owner/history.j2`."""
    receivables, events = load_books(store)
    return {"number": number, "found": file_history(number, receivables, events, settings.timezone)}


def digest_email(d: Digest, templates: Templates, lang: str, *, from_addr: str, to: list[str], message_id: str) -> Any:
    """The digest as a finished email (for the demo and `mailbot digest --out`)."""
    rendered = render_digest(d, templates, lang)
    return build_message(rendered, from_name=f"mailbot ({d.business})", from_addr=from_addr, to=to, message_id=message_id,
                         when=d.now)


def write_digest_files(d: Digest, templates: Templates, lang: str, out: Path, *, from_addr: str, to: list[str]) -> tuple[Path, Path, Rendered]:
    """Write `digest-<date>.eml` and `.html` into `out`; returns both paths and the rendering."""
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"digest-{d.today.isoformat()}"
    domain = from_addr.rsplit("@", 1)[-1]
    msg = digest_email(d, templates, lang, from_addr=from_addr, to=to, message_id=f"<digest.{d.today.isoformat()}@{domain}>")
    eml, html = stem.with_suffix(".eml"), stem.with_suffix(".html")
    eml.write_bytes(msg.as_bytes(policy=email.policy.SMTP))
    rendered = render_digest(d, templates, lang)
    html.write_text(rendered.html, encoding="utf-8")
    return eml, html, rendered


# -- the terminal ---------------------------------------------------------------------------

def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="mailbot", description="The owner's tools: status, import, digest, export.")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("status", help="the open files as a table, oldest first; or one client, or one invoice's history")
    s.add_argument("query", nargs="?", help="part of a client's name or address, or an invoice number")
    i = sub.add_parser("import", help="register open invoices from a CSV or XLSX export (all or nothing)")
    i.add_argument("file", type=Path)
    i.add_argument("--dry-run", action="store_true", help="read and report; register nothing")
    i.add_argument("--skip-existing", action="store_true", help="leave out invoices already registered instead of refusing")
    i.add_argument("--language", choices=("fr", "en", "nl", "de"), help="reminder language for rows that do not say")
    i.add_argument("--currency", default="EUR", help="currency for rows that do not say (default EUR)")
    g = sub.add_parser("digest", help="print the weekly digest and write it as .eml and .html")
    g.add_argument("--out", type=Path, default=None, help="folder for the .eml and .html (default: the data dir)")
    e = sub.add_parser("export", help="write every receivable to a CSV (and XLSX) file")
    e.add_argument("--out", type=Path, default=Path("."))
    args = p.parse_args(argv)
    settings = load_settings()
    rules = load_rules(settings.rules_path)
    now = _now(settings)
    if args.command == "import":
        return _import(args, settings, rules, now)
    store = Store.open(settings.data_dir)
    if args.command == "status":
        return _status(store, rules, settings, now, args.query)
    if args.command == "digest":
        d = digest_now(store, rules, settings, now)
        eml, html, rendered = write_digest_files(d, Templates(settings.data_dir / "templates"), rules.business.language,
                                                 args.out or settings.data_dir, from_addr=settings.address, to=list(settings.owners))
        print(rendered.subject)
        print(rendered.text)
        print(f"written: {eml}\n         {html}")
        return 0
    files, ctx = export_attachments(store, rules, settings, now)
    args.out.mkdir(parents=True, exist_ok=True)
    for a in files:
        (args.out / a.filename).write_bytes(a.data)
        print(f"written: {args.out / a.filename}")
    print(f"{ctx['count']} receivables")
    return 0


def _now(settings: Settings) -> datetime:
    from .clock import OffsetClock, SystemClock

    return (OffsetClock(settings.clock_start) if settings.clock_start else SystemClock()).now()


def _status(store: Store, rules: Rules, settings: Settings, now: datetime, query: str | None) -> int:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    receivables, events = load_books(store)
    if query:
        found = file_history(query, receivables, events, settings.timezone)
        if found:
            for r, evs in found:
                console.print(f"[bold]{r.number}[/bold] {r.client_name or r.client_email} · {r.status} · "
                              f"{r.amount_due} {r.currency} due {r.due_date}")
                for e in evs:
                    detail = ", ".join(f"{k}={v}" for k, v in e.items() if k not in ("receivable", "kind", "at", "day") and v)
                    console.print(f"  {e['day']}  {e['kind']:<16} {detail}")
            return 0
        ctx = status_context(store, rules, settings, now, query)
        if not ctx["statements"]:
            console.print(f"no client or invoice matches {query!r}")
            return 1
        for st in ctx["statements"]:
            console.print(_table([x for x in st.rows], f"{st.client} — {st.open_due} {st.currency} due", Table))
        return 0
    d = digest_now(store, rules, settings, now)
    ctx = status_context(store, rules, settings, now)
    title = (f"{d.open_count} open files · {d.outstanding} {d.currency} outstanding · {d.overdue} overdue · "
             f"DSO {d.dso.days if d.dso.days is not None else '—'} days")
    console.print(_table(ctx["rows"], title, Table))
    aged = "  ".join(f"{b.key.replace('_', '–')}: {b.amount} ({b.count})" for b in d.buckets)
    console.print(f"aged balance  {aged}")
    return 0


def _table(rows: list[Any], title: str, table_cls: Any) -> Any:
    t = table_cls(title=title, title_justify="left")
    for name, justify in (("invoice", "left"), ("client", "left"), ("due", "left"), ("amount due", "right"),
                          ("late", "right"), ("stage", "left"), ("status", "left"), ("next", "left")):
        t.add_column(name, justify=justify)  # type: ignore[arg-type]
    for x in rows:
        state = x.status if x.status != "open" else ("disputed" if x.dispute_reason else
                                                     f"promised {x.promise_date}" if x.promise_date else "open")
        nxt = x.next_action + (f" {x.next_action_date}" if x.next_action_date else "")
        t.add_row(x.invoice_number, x.client, str(x.due_date or ""), f"{x.amount_due} {x.currency}",
                  str(x.days_late or ""), x.stage, state, nxt)
    return t


def _import(args: argparse.Namespace, settings: Settings, rules: Rules, now: datetime) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    console = Console(stderr=False)
    try:
        data = args.file.read_bytes()
    except OSError as exc:
        raise ImportRefused(f"{args.file}: cannot read it ({exc.strerror}); check the path") from None
    plan = read_table(args.file.name, data, language=args.language or rules.business.language, currency=args.currency.upper())
    _print_plan(console, plan)
    if plan.bad:
        console.print(f"[red]nothing registered[/red]: fix the {len(plan.bad)} row(s) above and run the import again")
        return 1
    if args.dry_run:
        console.print(f"dry run: {len(plan.rows)} invoice(s) would be registered")
        return 0
    # The daemon keeps the store in memory: writing beside it would be lost at its next commit.
    lock = DataDirLock(settings.data_dir)
    lock.acquire()
    try:
        store = Store.open(settings.data_dir)
        ledger = Ledger(store)
        with Progress(TextColumn("registering"), BarColumn(), MofNCompleteColumn(), console=console) as progress:
            task = progress.add_task("import", total=len(plan.rows))
            with store.transaction():
                done = register(ledger, plan, now, skip_existing=args.skip_existing,
                                on_row=lambda n: progress.update(task, completed=n))
    finally:
        lock.release()
    for line, number in plan.duplicates:
        console.print(f"  line {line}: {number} already registered, left out")
    totals = ", ".join(f"{v} {k}" for k, v in plan.total.items())
    console.print(f"[green]registered {len(done)} invoice(s)[/green] ({totals}) from {plan.source}")
    return 0


def _print_plan(console: Any, plan: ImportPlan) -> None:
    sep = f", separated by {plan.delimiter!r}" if plan.delimiter else ""
    console.print(f"{plan.source}: {plan.encoding}{sep}, header on line {plan.header_line}")
    for field, header in plan.mapped.items():
        console.print(f"  {header!r} -> {field}")
    if plan.ignored:
        console.print(f"  ignored: {', '.join(plan.ignored)}")
    for line, why in plan.skipped:
        console.print(f"  line {line}: skipped, {why}")
    for b in plan.bad:
        console.print(f"  [red]line {b.line}[/red]: {'; '.join(b.problems)}")


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except MailbotError as exc:
        print(f"mailbot: {exc}", file=sys.stderr)
        sys.exit(2)
