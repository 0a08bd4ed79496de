"""E-mail: building the MIME message and the transports behind one small interface.

:class:`SmtpTransport` speaks to a real server (``SMTP_HOST``), keeping one connection for
a delivery pass; :class:`EmlDirectory` is the embedded default with no ``SMTP_HOST``: each
message becomes ``<data dir>/mail/<notification id>.eml`` (0600, written atomically), which
any mail client opens. The SMTP password is never logged or put in an error.
"""

from __future__ import annotations

import email.policy
import os
import smtplib
import ssl
from datetime import datetime
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr
from pathlib import Path
from typing import Protocol

from mentra_platform.core.config import Settings, default_data_dir
from mentra_platform.notifications.rendering import Rendered


class MailTransport(Protocol):
    """Sends one message or raises; ``close`` ends whatever the transport holds open."""

    def send(self, message: EmailMessage) -> None: ...

    def close(self) -> None: ...


class _HeaderClasses(HeaderRegistry):
    """The standard header registry, remembering the class it makes for each name: the
    stock one builds a new class with ``type()`` for every header of every message."""

    def __init__(self) -> None:
        super().__init__()
        self._made: dict[str, type[BaseHeader]] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        key = name.lower()
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = super().__getitem__(name)
        return made


POLICY = email.policy.default.clone(header_factory=_HeaderClasses())
"""``email.policy.default`` (the same headers, folding and encoding), made faster."""


def build_mail(rendered: Rendered, settings: Settings, now: datetime) -> EmailMessage:
    """multipart/mixed: (text/plain, text/html[, text/calendar; method=…]) alternatives,
    plus the invite again as an ``invite.ics`` attachment for clients that want a file."""
    msg = EmailMessage(policy=POLICY)
    msg["From"] = settings.mail_from
    msg["To"] = formataddr((rendered.to_name, rendered.to_email))
    msg["Subject"] = rendered.subject
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = rendered.message_id
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Mentra-Notification"] = str(rendered.notification_id)
    msg["X-Mentra-Kind"] = rendered.kind
    msg.set_content(rendered.text)
    msg.add_alternative(rendered.html, subtype="html")
    if rendered.invite is not None and rendered.method is not None:
        msg.add_alternative(
            rendered.invite.decode("utf-8"),
            subtype="calendar",
            params={"method": rendered.method},
        )
        msg.make_mixed()
        msg.add_attachment(
            rendered.invite,
            maintype="application",
            subtype="ics",
            filename="invite.ics",
        )
    return msg


class SmtpTransport:
    """One SMTP connection per pass, opened on first use and again after a failure."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._conn: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self._settings
        conn = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds)
        try:
            conn.ehlo()
            if s.smtp_starttls:
                conn.starttls(context=ssl.create_default_context())
                conn.ehlo()
            if s.smtp_username:
                conn.login(s.smtp_username, s.smtp_password)
        except BaseException:
            conn.close()
            raise
        return conn

    def send(self, message: EmailMessage) -> None:
        if self._conn is None:
            self._conn = self._connect()
        sender = parseaddr(self._settings.mail_from)[1] or "mentra@localhost"
        try:
            self._conn.send_message(message, from_addr=sender)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            conn.quit()
        except (smtplib.SMTPException, OSError):
            conn.close()


class EmlDirectory:
    """Writes each message as an ``.eml`` file (0600) in a 0700 folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, message: EmailMessage) -> None:
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        name = f"{int(message['X-Mentra-Notification'] or 0):08d}.eml"
        final = self.folder / name
        tmp = self.folder / f".{name}.{os.getpid()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(message.as_bytes())
        os.replace(tmp, final)

    def close(self) -> None:
        return None


def mail_folder(settings: Settings) -> Path:
    return Path(settings.mail_dir) if settings.mail_dir else default_data_dir() / "mail"


def make_transport(settings: Settings) -> MailTransport:
    """SMTP when ``SMTP_HOST`` is set, else ``.eml`` files in the data directory."""
    if settings.smtp_host:
        return SmtpTransport(settings)
    return EmlDirectory(mail_folder(settings))


__all__ = [
    "EmlDirectory",
    "MailTransport",
    "SmtpTransport",
    "build_mail",
    "mail_folder",
    "make_transport",
]
