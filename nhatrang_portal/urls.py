from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("", include("core.urls")),
    path("", include("accounts.urls")),
    path("thu-tuc/", include("procedures.urls")),
    path("", include("dossiers.urls")),
    path("phan-anh-kien-nghi/", include("feedback.urls")),
    path("", include("reports.urls")),
    # Satisfaction survey: public `danh-gia/...` and staff `can-bo/danh-gia/...` (full paths).
    path("", include("satisfaction.urls")),
    # Django's set_language is not marked public: under LoginRequiredMiddleware the language
    # switcher would send citizens to the staff login page.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("quan-tri/", admin.site.urls),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"
handler403 = "core.views.permission_denied"
