"""SMS backends: console (development), file (tests, demos) and a generic HTTP gateway.

NOTICE_SMS_BACKEND picks one: "console", "file", "http" or a dotted path to a class with the
same interface. A backend's `send(...)` returns a `Delivery` or raises one of core.notices.errors
(TransientError, UncertainError, PermanentError).

The HTTP backend fits the usual Vietnamese brandname SMS APIs (a JSON POST with the number, the
text and a request id; a JSON answer with a status and a message id), configured entirely by
environment (.env.example, "Notices"):

- NOTICE_SMS_HTTP_URL, NOTICE_SMS_HTTP_AUTH_HEADER ("Authorization: Bearer …"),
- NOTICE_SMS_HTTP_BODY: a JSON template. In string values `$phone` (84912345678),
  `$phone_e164` (+84912345678), `$phone_national` (0912345678), `$text`, `$reference`,
  `$brandname` are replaced; a value that is exactly `$unicode` or `$unicode_flag` becomes
  true/false or 1/0. Built from parsed JSON, so a text with quotes cannot break the body.
- NOTICE_SMS_HTTP_ID_PATH / NOTICE_SMS_HTTP_STATUS_PATH: dotted paths ("data.0.id") to the
  message id and the status in the answer; NOTICE_SMS_HTTP_OK_STATUSES and
  NOTICE_SMS_HTTP_DUPLICATE_STATUSES: statuses meaning "accepted" and "already accepted".
- NOTICE_SMS_HTTP_IDEMPOTENT: the gateway ignores a request whose reference it has already seen.
  Only then may an interrupted send be repeated (docs/adr/0003-notice-outbox.md).

Error classes: connection refused / DNS / connect timeout, HTTP 408, 429 and 5xx are transient;
a timeout or a dropped connection after the request was written is uncertain; other 4xx, a
status outside the accepted lists and an answer that is not JSON are permanent.
"""

from __future__ import annotations

import fcntl
import http.client
import json
import select
import socket
import string
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import phonenumbers
from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_noop

from .errors import PermanentError, TransientError, UncertainError
from .rendering import _record


@dataclass(frozen=True)
class Delivery:
    provider_id: str = ""
    provider_status: str = ""


class SmsBackend:
    """Interface. `idempotent`: resending with the same reference cannot deliver twice."""

    idempotent = False
    timeout = 0.0

    def send(self, *, recipient: str, text: str, reference: str, unicode: bool) -> Delivery:
        raise NotImplementedError


class ConsoleSmsBackend(SmsBackend):
    """Prints each message (development: `make run`)."""

    _lock = threading.Lock()

    def send(self, *, recipient, text, reference, unicode):
        with self._lock:
            sys.stdout.write(f"--- SMS to {recipient} (ref {reference})\n{text}\n---\n")
            sys.stdout.flush()
        return Delivery(provider_id=f"console-{reference}", provider_status="printed")


class FileSmsBackend(SmsBackend):
    """Appends one JSON line per message to NOTICE_SMS_FILE_PATH (tests, demos)."""

    def send(self, *, recipient, text, reference, unicode):
        path = Path(settings.NOTICE_SMS_FILE_PATH)
        path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {
                "to": recipient,
                "text": text,
                "reference": reference,
                "unicode": unicode,
                "at": timezone.now().isoformat(),
            },
            ensure_ascii=False,
        )
        with path.open("a", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)  # several worker processes may append at once
            handle.write(line + "\n")
        return Delivery(provider_id=f"file-{reference}", provider_status="written")


def json_path(data, path: str):
    """`data` at a dotted path ("data.0.id"); KeyError when absent."""
    for part in path.split("."):
        if isinstance(data, list) and part.lstrip("-").isdigit():
            try:
                data = data[int(part)]
            except IndexError as error:
                raise KeyError(path) from error
        elif isinstance(data, dict) and part in data:
            data = data[part]
        else:
            raise KeyError(path)
    return data


def _fill(template, values: dict, natives: dict):
    """Replace placeholders in the parsed JSON body template."""
    if isinstance(template, dict):
        return {key: _fill(value, values, natives) for key, value in template.items()}
    if isinstance(template, list):
        return [_fill(value, values, natives) for value in template]
    if isinstance(template, str):
        if template.startswith("$") and template[1:] in natives:
            return natives[template[1:]]
        return string.Template(template).safe_substitute(values)
    return template


def _national(e164: str) -> str:
    try:
        number = phonenumbers.parse(e164, "VN")
        national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    except phonenumbers.NumberParseException:
        national = e164
    return "".join(ch for ch in national if ch.isdigit())


class HttpSmsBackend(SmsBackend):
    """A JSON-over-HTTP gateway (see the module docstring). One keep-alive connection per
    thread; a connection the gateway closed while idle is replaced before it is used."""

    _local = threading.local()

    def __init__(self):
        self.url = settings.NOTICE_SMS_HTTP_URL
        self.timeout = settings.NOTICE_SMS_HTTP_TIMEOUT
        self.idempotent = settings.NOTICE_SMS_HTTP_IDEMPOTENT
        self.id_path = settings.NOTICE_SMS_HTTP_ID_PATH
        self.status_path = settings.NOTICE_SMS_HTTP_STATUS_PATH
        self.ok_statuses = {s.lower() for s in settings.NOTICE_SMS_HTTP_OK_STATUSES}
        self.duplicate_statuses = {s.lower() for s in settings.NOTICE_SMS_HTTP_DUPLICATE_STATUSES}
        self.config_error = ""
        self.uses_national = "$phone_national" in settings.NOTICE_SMS_HTTP_BODY
        try:
            self.body_template = json.loads(settings.NOTICE_SMS_HTTP_BODY)
        except ValueError as error:
            self.body_template = None
            self.config_error = f"NOTICE_SMS_HTTP_BODY: {error}"
        parts = urlsplit(self.url or "")
        if parts.scheme not in ("http", "https") or not parts.hostname:
            self.config_error = self.config_error or "NOTICE_SMS_HTTP_URL"
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port
        self.path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self.headers = {"Content-Type": "application/json", "Accept": "application/json"}
        name, sep, value = (settings.NOTICE_SMS_HTTP_AUTH_HEADER or "").partition(":")
        if sep and name.strip():
            self.headers[name.strip()] = value.strip()

    # -- connection ---------------------------------------------------------------------------
    def _key(self):
        return (self.scheme, self.host, self.port, self.timeout)

    def _connection(self) -> http.client.HTTPConnection:
        cached = getattr(self._local, "connection", None)
        if cached is not None:
            key, connection = cached
            if key == self._key() and not _dropped(connection):
                return connection
            connection.close()
        cls = http.client.HTTPSConnection if self.scheme == "https" else http.client.HTTPConnection
        connection = cls(self.host, self.port, timeout=self.timeout)
        self._local.connection = (self._key(), connection)
        return connection

    def _forget(self, connection) -> None:
        connection.close()
        self._local.connection = None

    # -- sending ------------------------------------------------------------------------------
    def body(self, *, recipient: str, text: str, reference: str, unicode: bool) -> bytes:
        values = {
            "phone": recipient.lstrip("+"),
            "phone_e164": recipient,
            "phone_national": _national(recipient) if self.uses_national else "",
            "text": text,
            "reference": reference,
            "brandname": settings.NOTICE_SMS_BRANDNAME,
        }
        natives = {"unicode": bool(unicode), "unicode_flag": 1 if unicode else 0}
        filled = _fill(self.body_template, values, natives)
        return json.dumps(filled, ensure_ascii=False).encode("utf-8")

    def send(self, *, recipient, text, reference, unicode):
        if self.config_error:
            raise TransientError(
                _record(
                    gettext_noop("The SMS gateway is not configured correctly (%(setting)s)."),
                    setting=self.config_error,
                )
            )
        body = self.body(recipient=recipient, text=text, reference=reference, unicode=unicode)
        connection = self._connection()
        if connection.sock is None:
            try:
                connection.connect()
                # Small request/answer pairs on a kept-alive connection: do not let Nagle's
                # algorithm and delayed ACKs add 40 ms to each.
                connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError as error:  # refused, DNS, connect timeout: nothing was sent
                self._forget(connection)
                raise TransientError(
                    _record(
                        gettext_noop("The SMS gateway cannot be reached (%(error)s)."),
                        error=_describe(error),
                    )
                ) from error
        try:
            connection.request("POST", self.path, body=body, headers=self.headers)
            response = connection.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException) as error:
            self._forget(connection)
            raise UncertainError(
                _record(
                    gettext_noop(
                        "The SMS gateway did not answer (%(error)s); the message may or may "
                        "not have been sent."
                    ),
                    error=_describe(error),
                )
            ) from error
        if response.will_close:
            self._forget(connection)
        return self._read(response.status, payload)

    def _read(self, status: int, payload: bytes) -> Delivery:
        if status in (408, 429) or status >= 500:
            raise TransientError(
                _record(gettext_noop("The SMS gateway answered HTTP %(status)s."), status=status)
            )
        if status >= 300:
            raise PermanentError(
                _record(
                    gettext_noop("The SMS gateway refused the message: HTTP %(status)s %(body)s"),
                    status=status,
                    body=_excerpt(payload),
                )
            )
        try:
            answer = json.loads(payload.decode("utf-8"))
        except ValueError as error:
            raise PermanentError(
                _record(
                    gettext_noop("The SMS gateway's answer could not be read: %(body)s"),
                    body=_excerpt(payload) or "(empty)",
                )
            ) from error
        provider_status = ""
        if self.status_path:
            try:
                provider_status = str(json_path(answer, self.status_path))
            except KeyError as error:
                raise PermanentError(
                    _record(
                        gettext_noop(
                            "The SMS gateway's answer has no status at “%(path)s”: %(body)s"
                        ),
                        path=self.status_path,
                        body=_excerpt(payload),
                    )
                ) from error
            accepted = self.ok_statuses | self.duplicate_statuses
            if accepted and provider_status.lower() not in accepted:
                raise PermanentError(
                    _record(
                        gettext_noop("The SMS gateway refused the message (status %(status)s)."),
                        status=provider_status[:40],
                    )
                )
        provider_id = ""
        if self.id_path:
            try:
                provider_id = str(json_path(answer, self.id_path))
            except KeyError:
                provider_id = ""
        return Delivery(provider_id=provider_id[:100], provider_status=provider_status[:40])


def _dropped(connection) -> bool:
    """Whether the peer closed an idle keep-alive connection (readable = EOF or junk)."""
    sock = connection.sock
    if sock is None:
        return False
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


def _describe(error: BaseException) -> str:
    text = str(error) or error.__class__.__name__
    return f"{error.__class__.__name__}: {text}"[:200]


def _excerpt(payload: bytes) -> str:
    return payload[:120].decode("utf-8", "replace").strip()


BACKENDS = {"console": ConsoleSmsBackend, "file": FileSmsBackend, "http": HttpSmsBackend}


def get_sms_backend() -> SmsBackend:
    """The configured backend, built from the current settings (cheap; no I/O)."""
    name = settings.NOTICE_SMS_BACKEND
    cls = BACKENDS.get(name) or import_string(name)
    return cls()
