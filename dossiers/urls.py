from django.urls import path

from .views import explanations, lookup, slips, staff

app_name = "dossiers"

urlpatterns = [
    # Public look-up (no login): code + last 4 phone digits, or the signed QR link.
    path("tra-cuu/", lookup.lookup, name="lookup"),
    path("tra-cuu/<str:code>/", lookup.lookup_detail, name="lookup-detail"),
    # Staff area.
    path("can-bo/ho-so/", staff.dossier_list, name="dossier-list"),
    path("can-bo/ho-so/tiep-nhan/", staff.dossier_intake, name="dossier-intake"),
    path("can-bo/ho-so/so-theo-doi.xlsx", slips.ledger_export, name="ledger-export"),
    path("can-bo/ho-so/tep/<int:pk>/", staff.attachment_download, name="attachment-download"),
    path("can-bo/ho-so/huong-dan/<int:pk>/", slips.guidance_slip, name="guidance-slip"),
    path("can-bo/ho-so/thu-tuc.json", staff.procedure_picker, name="procedure-picker"),
    path("can-bo/ho-so/<str:code>/", staff.dossier_detail, name="dossier-detail"),
    # Explanations of late dossiers (giải trình): the officers' tasks, the leaders' review.
    path("can-bo/giai-trinh/", explanations.explanation_list, name="explanation-list"),
    path(
        "can-bo/giai-trinh/<int:pk>/",
        explanations.explanation_detail,
        name="explanation-detail",
    ),
    path(
        "can-bo/ho-so/<str:code>/xu-ly/<slug:action>/",
        staff.dossier_action,
        name="dossier-action",
    ),
    path("can-bo/ho-so/<str:code>/phieu/<slug:slip>/", slips.dossier_slip, name="dossier-slip"),
    path(
        "can-bo/ho-so/<str:code>/phieu/<slug:slip>.pdf",
        slips.dossier_slip_pdf,
        name="dossier-slip-pdf",
    ),
]
