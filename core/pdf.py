"""Official documents: PDF rendering with WeasyPrint and the parts every document shares.

- `render_pdf(template, context)` renders a Django template to PDF bytes. Rendering is offline:
  the URL fetcher serves `data:` URLs and the project's static files from disk and refuses
  anything else, so a template can never make the server fetch from the network.
- Fonts: Noto Serif (full Vietnamese coverage, SIL OFL) is vendored under `static/fonts/` and
  declared with `@font-face` for every document, so a PDF looks the same (and fits the same number
  of pages) on any machine, whatever fonts the system has. Templates name "Noto Serif" first and
  fall back to DejaVu Serif (ENVIRONMENT.md: avoid fonts-liberation 1.x, no Ơ/Ư).
- `document_header(...)` and the `official_*` formatters build the header of a Vietnamese
  administrative document (issuing body, number, "Nha Trang, ngày 05 tháng 02 năm 2026"),
  shared by the one-stop slips and the feedback reply letters
  (templates/includes/document_header.html).

Dates follow Decree 30/2020/NĐ-CP Appendix I: days below 10 and the months January and
February are written with a leading zero ("ngày 05 tháng 02", but "tháng 3").
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils import timezone
from django.utils._os import safe_join

# --- PDF -------------------------------------------------------------------------------------


def _static_prefix() -> str:
    return urlsplit(static("")).path or "/static/"


def _static_file(url: str) -> Path | None:
    """The file behind a static URL (any host: only the path counts), or None."""
    path = unquote(urlsplit(url).path)
    prefix = _static_prefix()
    if not path.startswith(prefix):
        return None
    relative = path[len(prefix) :]
    if not relative:
        return None
    try:
        found = finders.find(relative)
        if not found and settings.STATIC_ROOT:
            candidate = safe_join(str(settings.STATIC_ROOT), relative)
            found = candidate if Path(candidate).is_file() else None
    except SuspiciousFileOperation:
        return None
    return Path(found) if found else None


def _url_fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class OfflineURLFetcher(URLFetcher):
        """Serves `data:` URLs and static files; refuses every other URL (no network)."""

        def fetch(self, url, headers=None):
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                return super().fetch(url, headers)
            file = _static_file(url)
            if file is None:
                raise ValueError(f"Not fetched while rendering a document offline: {url[:200]}")
            content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
            return URLFetcherResponse(
                file.as_uri(), file.read_bytes(), headers={"Content-Type": content_type}
            )

    return OfflineURLFetcher


def offline_url_fetcher():
    """A WeasyPrint URL fetcher that never touches the network (see module docstring)."""
    return _url_fetcher_class()()


VENDORED_FONTS = (
    # (file under static/fonts/noto-serif/, font-weight, font-style)
    ("NotoSerif-Regular.ttf", "normal", "normal"),
    ("NotoSerif-Bold.ttf", "bold", "normal"),
    ("NotoSerif-Italic.ttf", "normal", "italic"),
    ("NotoSerif-BoldItalic.ttf", "bold", "italic"),
)


def _font_faces_css() -> str:
    return "\n".join(
        f'@font-face {{ font-family: "Noto Serif"; font-weight: {weight}; '
        f'font-style: {style}; src: url("{static("fonts/noto-serif/" + name)}"); }}'
        for name, weight, style in VENDORED_FONTS
    )


def html_to_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """PDF bytes of an HTML string. Relative URLs resolve against `base_url` (default: the
    portal's public address), and static URLs are read from disk. The vendored Noto Serif is
    declared for every document (module docstring)."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    base_url = base_url or settings.PUBLIC_BASE_URL.rstrip("/") + "/"
    fetcher = offline_url_fetcher()
    font_config = FontConfiguration()
    fonts = CSS(
        string=_font_faces_css(), base_url=base_url, url_fetcher=fetcher, font_config=font_config
    )
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[fonts], font_config=font_config)


def render_pdf(template_name: str, context: dict | None = None, *, request=None) -> bytes:
    """Render a Django template and return it as PDF bytes.

    The context gets `is_pdf=True` so a template can leave out screen-only parts (toolbars,
    scripts); `@media print` rules apply too, as WeasyPrint renders for print.
    """
    html = render_to_string(template_name, {**(context or {}), "is_pdf": True}, request=request)
    return html_to_pdf(html)


# --- Official document parts -----------------------------------------------------------------


def local_zone() -> ZoneInfo:
    """The portal's time zone (Asia/Ho_Chi_Minh), whatever time zone a request activated."""
    return ZoneInfo(settings.TIME_ZONE)


def local(moment: datetime) -> datetime:
    """An aware datetime shown in the portal's time zone."""
    return timezone.localtime(moment, local_zone())


def _day(value: int) -> str:
    return f"{value:02d}" if value < 10 else str(value)


def _month(value: int) -> str:
    return f"{value:02d}" if value < 3 else str(value)


def official_date(day: date | datetime) -> str:
    """ "ngày 05 tháng 02 năm 2026" (Decree 30/2020 leading zeros)."""
    if isinstance(day, datetime):
        day = local(day).date()
    return f"ngày {_day(day.day)} tháng {_month(day.month)} năm {day.year}"


def official_datetime(moment: datetime) -> str:
    """ "09 giờ 30 phút, ngày 02 tháng 3 năm 2026", in the portal's time zone."""
    moment = local(moment)
    return f"{moment:%H} giờ {moment:%M} phút, {official_date(moment.date())}"


@dataclass(frozen=True)
class DocumentHeader:
    """What the header of an administrative document prints (includes/document_header.html).

    `number` is the document number without "Số:"; empty prints a dotted blank for the records
    clerk. `form_number` is the form of the circular's appendix ("01"); empty or "—" prints none.
    """

    issuer_parent: str
    issuer: str
    place: str
    issued_on: date
    number: str = ""
    form_number: str = ""

    @property
    def date_line(self) -> str:
        return f"{self.place}, {official_date(self.issued_on)}"

    @property
    def has_form_number(self) -> bool:
        return self.form_number not in ("", "—", "-")


def document_header(
    agency, *, issued_at: datetime | date, number: str = "", form_number: str = ""
) -> DocumentHeader:
    """The header of a document issued by `agency` (accounts.Agency) at `issued_at`."""
    issued_on = local(issued_at).date() if isinstance(issued_at, datetime) else issued_at
    return DocumentHeader(
        issuer_parent=agency.parent_name,
        issuer=agency.name,
        place=agency.locality,
        issued_on=issued_on,
        number=number,
        form_number=form_number,
    )
