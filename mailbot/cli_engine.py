"""`mailbot preview` and `mailbot simulate`: look at reminders before any client does.

preview INVOICE [--stage N|NAME] [--lang fr] [--out DIR] [--date YYYY-MM-DD]
    writes the reminder the invoice would get (text, HTML, the QR image, the invoice copy, the
    formal notice PDF for a letter stage, and the whole .eml) to files in DIR.
simulate [--days 120] [--from DATE] [--json] [--generate N [--seed S]]
    prints what would be sent, when and to whom, from the stored files (or from N generated
    invoices), sending nothing and changing nothing.

Both read the store in MAILBOT_DATA_DIR (settings from the environment, as `mailbot run`).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from datetime import date, datetime
from pathlib import Path

from babel.numbers import format_currency

from .compose import LOCALES, Attachment, Templates
from .config import Settings, load_settings
from .errors import ConfigError
from .ledger import Ledger
from .models import Receivable
from .rules import Rules, load_rules
from .scheduler import _Kinds, client_facts, stage_for_age
from .store import Store


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("preview", "simulate"):
        print("usage: mailbot preview INVOICE ... | mailbot simulate ...", file=sys.stderr)
        return 2
    return {"preview": preview, "simulate": simulate}[argv[0]](argv[1:])


def _store(settings: Settings) -> Store:
    if not (settings.data_dir / "db.json").exists() and not any(settings.data_dir.glob("db.*")):
        raise ConfigError(f"no mailbot data in {settings.data_dir}: set MAILBOT_DATA_DIR to the daemon's data directory "
                          "(or simulate a generated portfolio with --generate 200)")
    return Store.open(settings.data_dir)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write YYYY-MM-DD") from None


# --- preview ----------------------------------------------------------------------------------


def preview(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="mailbot preview", description="write the next reminder of an invoice to files")
    p.add_argument("invoice", help="the invoice number, e.g. F2026-014")
    p.add_argument("--stage", help="stage number (1 = first) or name; default: the next stage of the file")
    p.add_argument("--lang", choices=sorted(LOCALES), help="render in this language instead of the client's")
    p.add_argument("--out", type=Path, default=Path("preview"), help="folder to write to (default: ./preview)")
    p.add_argument("--date", type=_day, help="pretend today is this day (default: today in MAILBOT_TIMEZONE)")
    args = p.parse_args(argv)

    from .handlers.reminders import make_reminder, reminder_message, render_letter

    settings = load_settings()
    rules = load_rules(settings.rules_path)
    store = _store(settings)
    ledger = Ledger(store)
    found = ledger.find_number(args.invoice, statuses=("open", "draft", "closed", "cancelled"))
    if not found:
        raise ConfigError(f"no invoice {args.invoice!r} in {settings.data_dir}; `mailbot status` lists the open ones")
    r = found[0]
    everything = ledger.all()
    kinds = _Kinds(rules, client_facts(everything))
    stages = kinds.stages(kinds.segment(r), kinds.b2c(r))
    today = args.date or datetime.now(settings.timezone).date()
    stage = _pick_stage(rules, stages, r, args.stage, today)
    template = stage.template if stage.channel != "call" else None
    if template is None:
        print(f"{r.number}: stage {stage.index + 1} '{stage.name}' is a call: no email; the digest shows the task")
        return 0
    files = [f for f in everything if f.is_open and f.client_email and r.client_email
             and f.client_email.lower() == r.client_email.lower() and f.due_date and f.due_date < today and f.id != r.id]
    files = [r] + files

    def load(x: Receivable) -> Attachment | None:
        path = settings.data_dir / "attachments" / (x.attachment or "")
        if not x.attachment or not path.exists():
            return None
        return Attachment(x.attachment_name or path.name, x.attachment_type or "application/pdf", path.read_bytes())

    extra = [render_letter(rules, Templates(settings.data_dir / "templates"), files, stage, today, args.lang)] \
        if stage.channel == "letter" else []
    templates = Templates(settings.data_dir / "templates")
    rem = make_reminder(rules, templates, files, stage, template, today, qr_cid="payment-qr@preview", load_attachment=load,
                        attach=stage.attach_invoice, lang=args.lang, extra=extra, b2c=kinds.b2c(r))
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    written = []

    def write(name: str, data: bytes) -> None:
        (out / name).write_bytes(data)
        written.append(name)

    write("reminder.txt", f"Subject: {rem.rendered.subject}\n\n{rem.rendered.text}".encode())
    # In the file the QR image is next to the page, so a browser shows it without the email around it.
    write("reminder.html", rem.rendered.html.replace("cid:payment-qr@preview", "payment-qr.png").encode())
    for a in rem.attachments:
        write(Path(a.filename).name, a.data)
    msg = reminder_message(rules, rem, to=r.client_email or "client@example.invalid", from_addr=settings.address,
                           message_id=f"<preview.{r.id}@{settings.address.rsplit('@', 1)[-1]}>",
                           when=datetime.now(settings.timezone), previous=[])
    write("reminder.eml", bytes(msg))
    print(f"{r.number}: stage {stage.index + 1} '{stage.name}' in {rem.lang}, {len(files)} invoice(s), to {r.client_email}")
    print(f"subject: {rem.rendered.subject}")
    print(f"written to {out}/: {', '.join(written)}")
    return 0


def _pick_stage(rules: Rules, stages, r: Receivable, wanted: str | None, today: date):
    if wanted is None:
        # What the scheduler would send: the stage the file's age calls for (missed ones are
        # skipped), or, before that day, the next one in order.
        reached = stage_for_age(stages, (today - r.due_date).days) if r.due_date else None
        if reached is not None and reached.index > r.last_stage:
            return reached
        nxt = next((s for s in stages if s.index > r.last_stage), None)
        if nxt is None:
            raise ConfigError(f"{r.number} has had every stage; pass --stage N to preview one again")
        return nxt
    if wanted.isdigit():
        n = int(wanted)
        if not 1 <= n <= len(rules.stages):
            raise ConfigError(f"--stage {n}: the rules have stages 1 to {len(rules.stages)}")
        index = n - 1
    else:
        named = rules.stage_named(wanted)
        if named is None:
            raise ConfigError(f"--stage {wanted!r}: no such stage; use one of {', '.join(s.name for s in rules.stages)}")
        index = named.index
    # The stage as it applies to this client (shifted, stricter final date for a consumer).
    return next((s for s in stages if s.index == index), rules.stages[index])


# --- simulate ---------------------------------------------------------------------------------


def simulate(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="mailbot simulate", description="print what would be sent, when and to whom; sends nothing")
    p.add_argument("--days", type=int, default=120)
    p.add_argument("--from", dest="start", type=_day, help="first day (default: today in MAILBOT_TIMEZONE)")
    p.add_argument("--json", action="store_true", help="one JSON object per action, for scripts")
    p.add_argument("--generate", type=int, metavar="N", help="simulate N generated invoices instead of the stored ones")
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)

    from .simulation import generated_portfolio
    from .simulation import simulate as run

    settings = load_settings()
    rules = load_rules(settings.rules_path)
    start = args.start or datetime.now(settings.timezone).date()
    if args.generate:
        files, bad = generated_portfolio(args.generate, start, seed=args.seed, rules=rules), set()
    else:
        store = _store(settings)
        files, bad = Ledger(store).all(), Ledger(store).bad_addresses()
    window = rules.window(settings.timezone)
    actions, after = run(files, rules, start, args.days, window=window, bad_addresses=bad)
    if args.json:
        for a in actions:
            print(json.dumps(a.as_dict(), ensure_ascii=False))
        return 0
    open_before = sum(1 for r in files if r.is_open)
    print(f"mailbot simulate: {open_before} open invoices, {args.days} days from {start.isoformat()}; nothing is sent.")
    print(f"Emails leave {rules.policy.send_window} ({window.tz}) on business days in {rules.policy.calendar}; "
          f"at least {rules.policy.min_gap_days} days between two emails to a client.")
    if rules.policy.dry_run:
        print("rules.yaml says dry_run: true, so even the daemon would only plan these emails.")
    day = None
    for a in actions:
        local = a.at.astimezone(window.zone)
        if local.date() != day:
            day = local.date()
            print(f"\n{local:%a %Y-%m-%d}")
        print("  " + _line(a, local))
    kinds = Counter(a.kind for a in actions)
    clients = len({a.client for a in actions if a.kind == "email"})
    finished = sum(1 for r in after if r.is_open and r.last_stage == len(rules.stages) - 1)
    print(f"\n{kinds['email']} emails to {clients} clients, {kinds['call']} call tasks, {kinds['letter']} formal notices; "
          f"{finished} files at their last stage, then yours.")
    return 0


def _line(a, local: datetime) -> str:
    money = format_currency(a.total, "EUR", locale=LOCALES.get(a.lang, "en_GB")) if a.kind != "call" else ""
    numbers = ", ".join(a.numbers[:4]) + (f" (+{len(a.numbers) - 4})" if len(a.numbers) > 4 else "")
    what = {"email": f"email  {a.stage:<14} to {a.client} [{a.lang}]",
            "call": f"call   {a.stage:<14} task for you: call {a.client}",
            "letter": f"letter {a.stage:<14} formal notice PDF to you, for {a.client}"}[a.kind]
    return f"{local:%H:%M}  {what}  {numbers}  {money}".rstrip()
