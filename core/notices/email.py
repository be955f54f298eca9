"""Email notices through Django's email backends (SMTP in production, console in development).

HTML + text alternatives, attachments built at send time (e.g. the slip PDF), a Message-ID
derived from the notice's reference (the provider id on the row).

Error classes: an address that is not valid, SMTP 5xx and refused recipients are permanent;
a server that cannot be reached or answers 4xx is transient; a connection lost during the
conversation is uncertain (SMTP has no idempotency: the notice fails and staff decide).
"""

from __future__ import annotations

import smtplib
import socket
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.utils.module_loading import import_string
from django.utils.translation import gettext_noop

from .errors import PermanentError, TransientError, UncertainError
from .rendering import _record
from .sms import Delivery, _describe


@dataclass(frozen=True)
class NoticeFile:
    filename: str
    content: bytes
    mimetype: str = "application/pdf"


def notice_attachment(function):
    """Mark a function as an attachment builder a notice may name (no other import path can
    be called from a row's data)."""
    function.is_notice_attachment = True
    return function


def build_attachment(spec: dict) -> NoticeFile:
    """Call the builder named in a notice's `attachments` entry."""
    path = str(spec.get("builder", ""))
    try:
        builder = import_string(path)
    except ImportError as error:
        raise PermanentError(
            _record(gettext_noop("Unknown attachment builder %(path)s."), path=path[:120])
        ) from error
    if not getattr(builder, "is_notice_attachment", False):
        raise PermanentError(
            _record(gettext_noop("Unknown attachment builder %(path)s."), path=path[:120])
        )
    return builder(**spec.get("kwargs", {}))


def email_problem(address: str) -> str | None:
    try:
        validate_email(address)
    except ValidationError:
        return _record(
            gettext_noop("“%(address)s” is not a valid email address."), address=address[:254]
        )
    return None


def _domain() -> str:
    sender = settings.DEFAULT_FROM_EMAIL
    return sender.rsplit("@", 1)[-1].strip("> ") if "@" in sender else "localhost"


def send_email(
    *, recipient: str, subject: str, text: str, html: str, reference: str, files: list
) -> Delivery:
    problem = email_problem(recipient)
    if problem:
        raise PermanentError(problem)
    message_id = f"<notice-{reference}@{_domain()}>"
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient],
        headers={"Message-ID": message_id, "X-Notice-Reference": reference},
    )
    if html:
        message.attach_alternative(html, "text/html")
    for file in files:
        message.attach(file.filename, file.content, file.mimetype)
    try:
        message.send(fail_silently=False)
    except (smtplib.SMTPConnectError, ConnectionRefusedError, socket.gaierror) as error:
        raise TransientError(
            _record(
                gettext_noop("The mail server cannot be reached (%(error)s)."),
                error=_describe(error),
            )
        ) from error
    except smtplib.SMTPRecipientsRefused as error:
        raise PermanentError(
            _record(
                gettext_noop("The mail server refused the address “%(address)s”."),
                address=recipient,
            )
        ) from error
    except smtplib.SMTPResponseException as error:
        reason = _record(
            gettext_noop("The mail server answered %(code)s %(text)s."),
            code=error.smtp_code,
            text=_smtp_text(error.smtp_error),
        )
        if 400 <= error.smtp_code < 500:
            raise TransientError(reason) from error
        raise PermanentError(reason) from error
    except (smtplib.SMTPException, OSError) as error:
        raise UncertainError(
            _record(
                gettext_noop(
                    "The connection to the mail server was lost (%(error)s); the email may or "
                    "may not have been sent."
                ),
                error=_describe(error),
            )
        ) from error
    return Delivery(provider_id=message_id[1:-1][:100], provider_status="accepted")


def _smtp_text(value) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return str(value)[:200]


def email_timeout() -> float:
    return float(getattr(settings, "EMAIL_TIMEOUT", None) or 0)
