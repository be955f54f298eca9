from django.urls import path

from .views import public, staff

app_name = "feedback"

urlpatterns = [
    # Public (no login): the archive of published answers, sending, receipt, tracking, votes.
    path("", public.archive, name="archive"),
    path("gui/", public.submit, name="submit"),
    path("da-gui/<str:code>/", public.submitted, name="submitted"),
    # The tracking link sent by SMS: short on purpose (one message of 160 characters).
    path("t/<str:code>/<str:token>/", public.track, name="track"),
    path("<int:pk>/", public.answer, name="answer"),
    path("<int:pk>/danh-gia/", public.vote, name="vote"),
    # Staff area.
    path("can-bo/", staff.register, name="staff-register"),
    path("can-bo/tiep-nhan/", staff.intake, name="staff-intake"),
    path("can-bo/so-lieu/", staff.figures, name="staff-figures"),
    path("can-bo/tep/<int:pk>/", staff.attachment_download, name="attachment-download"),
    path("can-bo/<str:code>/", staff.detail, name="staff-detail"),
    path("can-bo/<str:code>/xu-ly/<slug:action>/", staff.action, name="staff-action"),
    path("can-bo/<str:code>/van-ban-tra-loi/", staff.reply_letter, name="reply-letter"),
    path("can-bo/<str:code>/van-ban-tra-loi.pdf", staff.reply_letter_pdf, name="reply-letter-pdf"),
]
