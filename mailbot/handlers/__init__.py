"""One handler per route (see router.py). `dispatch` is the only entry point."""

from __future__ import annotations

from email.message import EmailMessage

from ..router import Route
from . import automatic, client, command, forward, unknown
from .base import PROCESSED, QUARANTINE, Desk

__all__ = ["dispatch", "Desk", "PROCESSED", "QUARANTINE"]


def dispatch(desk: Desk, msg: EmailMessage, route: Route) -> str:
    if route.kind == "owner_forward":
        return forward.handle(desk, msg)
    if route.kind == "owner_command":
        return command.handle(desk, msg)
    if route.kind == "client_reply":
        return client.handle(desk, msg)
    if route.kind == "auto_reply":
        return automatic.handle_auto_reply(desk, msg)
    if route.kind == "bounce":
        return automatic.handle_bounce(desk, msg)
    if route.kind == "refused":
        return unknown.handle_refused(desk, msg, route.why, route.sender.address)
    if route.kind == "loop":
        return unknown.handle_loop(desk, msg)
    return unknown.handle(desk, msg)
