from django.urls import path

from . import views

app_name = "procedures"

urlpatterns = [
    path("", views.procedure_list, name="procedure-list"),
    path("<str:code>/", views.procedure_detail, name="procedure-detail"),
    path(
        "<str:code>/bieu-mau/<int:component_id>/",
        views.component_form,
        name="component-form",
    ),
]
