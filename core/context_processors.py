from django.conf import settings

from accounts.selectors import primary_agency


def portal(request):
    """The agency shown in the header and footer, and portal-wide links."""
    return {
        "portal_agency": primary_agency(),
        "national_portal_url": settings.NATIONAL_PORTAL_URL,
    }
