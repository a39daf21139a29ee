"""Delivering alerts: a JSON-lines file or stdout, a webhook (JSON POST) and e-mail (SMTP).

A channel is named by a spec: ``stdout``, ``file:PATH``, ``webhook:URL``,
``email:ADDRESS`` (the SMTP server from :class:`SmtpConfig`). Each alert
records per channel whether it went out; one that failed is tried again on
later cycles, up to ``MAX_ATTEMPTS`` times, and never sent twice where it
already arrived.
"""

from __future__ import annotations

import json
import smtplib
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .fetch import FetchError, Fetcher
from .state import MonitorState, now_iso

MAX_ATTEMPTS = 5
# Alerts older than this are not sent (again): a channel added later does not get the whole history,
# and a monitor that was down for days does not flood its channels when it comes back.
RETRY_WINDOW = timedelta(days=1)


class ChannelError(ValueError):
    pass


@dataclass(slots=True, frozen=True)
class SmtpConfig:
    host: str = "localhost"
    port: int = 25
    sender: str = "polarwatch@localhost"
    starttls: bool = False
    user: str | None = None
    password: str | None = None  # from POLARWATCH_SMTP_PASSWORD, never a flag
    timeout: float = 15.0


def text_of(alert: dict[str, Any]) -> str:
    """An alert as a few lines of text: rule, headline, evidence, link."""
    ev = alert["evidence"]
    where = "title" if ev["in_title"] else f"chars {ev['start']}-{ev['end']}"
    return (
        f"[alert {alert['id']}] rule {alert['rule_id']}: {alert['rule']}\n"
        f"  {alert['title'] or '(untitled)'} — {alert['outlet'] or '?'}, {alert['published'] or 'undated'}\n"
        f"  “{ev['sentence']}” (article {alert['article_id']}, {where})\n"
        f"  {alert['url'] or '(no link)'}"
    )


class Channel:
    def __init__(self, spec: str, send: Callable[[dict[str, Any]], None]) -> None:
        self.spec = spec
        self.send = send


def channel(spec: str, fetcher: Fetcher, smtp: SmtpConfig | None = None, echo: Callable[[str], None] | None = None) -> Channel:
    """The channel a spec names; :class:`ChannelError` for one that cannot be used."""
    kind, _, arg = spec.partition(":")
    if spec == "stdout":
        out = echo or (lambda s: print(s, file=sys.stdout, flush=True))
        return Channel(spec, lambda a: out(text_of(a)))
    if kind == "file" and arg:
        path = Path(arg).expanduser()

        def to_file(a: dict[str, Any]) -> None:
            with open(path, "a", encoding="utf-8") as fh:
                fh.write(json.dumps(a, ensure_ascii=False) + "\n")

        return Channel(spec, to_file)
    if kind == "webhook" and arg:
        if urlsplit(arg).scheme not in ("http", "https"):
            raise ChannelError(f"webhook {arg!r} is not an http(s) URL")
        return Channel(spec, lambda a: _webhook(fetcher, arg, a))
    if kind == "email" and "@" in arg:
        cfg = smtp or SmtpConfig()
        if fetcher.policy.loopback_only:
            fetcher.check_address(f"http://{cfg.host}:{cfg.port}/")
        return Channel(spec, lambda a: _email(cfg, arg, a))
    raise ChannelError(f"unknown alert channel {spec!r}: use stdout, file:PATH, webhook:URL or email:ADDRESS")


def _webhook(fetcher: Fetcher, url: str, alert: dict[str, Any]) -> None:
    fetcher.post_json(url, {"type": "polarwatch.alert", "alert": alert})


def _email(cfg: SmtpConfig, to: str, alert: dict[str, Any]) -> None:
    msg = EmailMessage()
    msg["From"] = cfg.sender
    msg["To"] = to
    msg["Subject"] = f"[polarwatch] {alert['rule']}: {(alert['title'] or alert['article_id'])[:120]}"
    msg.set_content(text_of(alert) + "\n")
    with smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout) as s:
        if cfg.starttls:
            s.starttls()
        if cfg.user:
            s.login(cfg.user, cfg.password or "")
        s.send_message(msg)


def deliver(state: MonitorState, channels: list[Channel], alerts: list[dict[str, Any]] | None = None) -> tuple[int, list[str]]:
    """Send each alert (default: every one of the last ``RETRY_WINDOW`` not yet delivered to some channel) on the
    channels it has not reached; returns (deliveries made, errors)."""
    if not channels:
        return 0, []
    if alerts is None:
        since = (datetime.now(timezone.utc) - RETRY_WINDOW).isoformat(timespec="seconds")
        alerts = state.undelivered([c.spec for c in channels], since)
    sent, errors = 0, []
    for a in alerts:
        record = dict(a.get("delivery") or {})
        changed = False
        for ch in channels:
            st = record.get(ch.spec) or {"ok": False, "attempts": 0}
            if st.get("ok") or st.get("attempts", 0) >= MAX_ATTEMPTS:
                continue
            st = {**st, "attempts": st.get("attempts", 0) + 1, "at": now_iso()}
            try:
                ch.send(a)
                st.update(ok=True, error=None)
                sent += 1
            except (OSError, FetchError, smtplib.SMTPException) as exc:
                st.update(ok=False, error=f"{type(exc).__name__}: {exc}")
                errors.append(f"alert {a['id']} to {ch.spec}: {exc}")
            record[ch.spec] = st
            changed = True
        if changed:
            state.set_delivery(a["id"], record)
            a["delivery"] = record
    return sent, errors
