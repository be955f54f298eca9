"""The notice kinds the apps send: key (template folder), label, sample data for the preview.

Apps declare theirs in `<app>/notices.py` with `register(NoticeKind(...))`; `kinds()` imports
those modules once (like the admin's autodiscovery), so core never imports another app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.module_loading import autodiscover_modules

from .rendering import EMAIL, SMS


@dataclass(frozen=True)
class NoticeKind:
    key: str
    label: str  # lazy translation
    sample_context: Callable[[], dict]
    sample_sms_fallback: Callable[[], dict] = dict
    channels: tuple[str, ...] = field(default=(SMS, EMAIL))


_KINDS: dict[str, NoticeKind] = {}
_discovered = False


def register(kind: NoticeKind) -> NoticeKind:
    _KINDS[kind.key] = kind
    return kind


def _discover() -> None:
    global _discovered
    if not _discovered:
        _discovered = True
        autodiscover_modules("notices")


def kinds() -> list[NoticeKind]:
    _discover()
    return list(_KINDS.values())


def label_for(key: str) -> str:
    _discover()
    kind = _KINDS.get(key)
    return str(kind.label) if kind else key
