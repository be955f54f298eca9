"""Routes of the satisfaction app.

Included at the site root (nhatrang_portal/urls.py), so every path here is written in full:
public pages under `danh-gia/`, staff pages under `can-bo/danh-gia/` (STYLE.md: staff URLs start
with `can-bo/`). The survey link `danh-gia/<token>/` matches any 20-64 letters, digits, `-` and
`_`: keep it LAST, after every other `danh-gia/...` route.
"""

from django.urls import path, register_converter

from . import views
from .urls_index import urlpatterns as index_urlpatterns

app_name = "satisfaction"


class SurveyTokenConverter:
    """An invitation token as printed and sent (secrets.token_urlsafe: 32 characters); other
    lengths are accepted up to 64 so a forged or cut link still gets the "not valid" page."""

    regex = r"[A-Za-z0-9_-]{20,64}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(SurveyTokenConverter, "survey_token")

urlpatterns = [
    # Public (no login): the entry with code + phone digits, the kiosk, the thank-you page.
    path("danh-gia/", views.entry, name="entry"),
    path("danh-gia/quay/", views.kiosk, name="kiosk"),
    path("danh-gia/cam-on/", views.thanks, name="thanks"),
    # Staff: the survey tablets of the desk.
    path("can-bo/danh-gia/thiet-bi/", views.kiosk_devices, name="kiosk-devices"),
    path(
        "can-bo/danh-gia/thiet-bi/<int:pk>/thu-hoi/",
        views.kiosk_device_revoke,
        name="kiosk-device-revoke",
    ),
    # Index, follow-ups and public summary (satisfaction/urls_index.py).
    *index_urlpatterns,
    # The invitation link (SMS, email, QR code on the slips): keep it last.
    path("danh-gia/<survey_token:token>/", views.survey, name="survey"),
]
