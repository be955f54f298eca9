"""The dossier page, its actions (POST, one service each) and the scans.

"Now" is Tuesday 3 March 2026, 10:00 in Nha Trang; the dossier was received on Monday 2 March
at 09:00 and is due on Monday 9 March at 17:00 (5 working days).
"""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from accounts.constants import Role
from accounts.tests.factories import AgencyFactory
from dossiers import services
from dossiers.constants import DossierStatus, EventType
from dossiers.models import Dossier, DossierAttachment
from dossiers.tests.factories import register_dossier, staff

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 3, 3, 10, 0, tzinfo=VN)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 32


def at(*args):
    return datetime(*args, tzinfo=VN)


@pytest.fixture(autouse=True)
def _english_and_fixed_now(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # pages default to Vietnamese
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def private_storage(tmp_path):
    """Scans and e-results go to a temporary private folder, never into the project."""
    storages = [
        DossierAttachment._meta.get_field("file").storage,
        Dossier._meta.get_field("result_file").storage,
    ]
    saved = [storage._location for storage in storages]

    def point(storage, location):
        storage._location = location
        storage.__dict__.pop("base_location", None)
        storage.__dict__.pop("location", None)

    for storage in storages:
        point(storage, str(tmp_path))
    yield tmp_path
    for storage, location in zip(storages, saved, strict=True):
        point(storage, location)


@pytest.fixture
def dossier(procedure, desk):
    return register_dossier(procedure=procedure, user=desk, received_at=at(2026, 3, 2, 9))


@pytest.fixture
def processing(dossier, desk, officer):
    return services.dossier_assign(dossier=dossier, handler=officer, user=desk)


def page(client, user, dossier):
    client.force_login(user)
    return client.get(dossier.get_absolute_url())


def act(client, user, dossier, action, data=None):
    client.force_login(user)
    url = reverse("dossiers:dossier-action", args=[dossier.code, action])
    return client.post(url, {f"{action}-{k}": v for k, v in (data or {}).items()})


def offered(response) -> list[str]:
    return re.findall(
        r'<details class="action [^"]*" id="action-([a-z_]+)"', response.content.decode()
    )


# --- the page --------------------------------------------------------------------------------
def test_the_page_shows_summary_clock_documents_timeline_and_slips(client, desk, processing):
    response = page(client, desk, processing)
    assert response.status_code == 200
    html = response.content.decode()
    # Staff see the personal data.
    for text in ("Nguyễn Văn An", "056090001234", "+84905123456", "12 Lê Thánh Tôn"):
        assert text in html
    assert "09/03/2026 17:00" in html  # due date
    assert "working days used" in html and "working days left" in html
    assert processing.procedure.components.first().name in html
    assert "Being processed" in html and "On track" in html
    # Timeline: acceptance then assignment, with the actor.
    timeline = html.split('class="table table-sm timeline"')[1]
    assert timeline.index("Accepted") < timeline.index("Assigned")
    assert str(desk) in timeline
    # Slips, linked by name.
    assert reverse("dossiers:dossier-slip", args=[processing.code, "receipt"]) in html
    assert reverse("dossiers:dossier-slip", args=[processing.code, "control"]) in html
    assert reverse("dossiers:dossier-slip", args=[processing.code, "refusal"]) not in html


def test_only_the_actions_this_user_may_take_now_are_offered(client, desk, officer, processing):
    assert offered(page(client, desk, processing)) == ["assign", "withdraw"]
    assert offered(page(client, officer, processing)) == [
        "request_supplement",
        "request_payment",
        "reschedule",
        "resolve",
        "stop",
    ]


def test_a_refused_dossier_offers_no_action_and_links_its_refusal_slip(client, desk, procedure):
    from dossiers.tests.factories import applicant

    refused = services.dossier_refuse_at_intake(
        procedure=procedure, applicant=applicant(), reason="Sai thẩm quyền", user=desk
    )
    response = page(client, desk, refused)
    assert offered(response) == []
    html = response.content.decode()
    assert reverse("dossiers:dossier-slip", args=[refused.code, "refusal"]) in html
    assert reverse("dossiers:dossier-slip", args=[refused.code, "receipt"]) not in html
    assert "Sai thẩm quyền" in html


def test_apology_warning_when_due_within_one_working_day_without_apology(
    client, officer, processing
):
    assert "no apology issued yet" not in page(client, officer, processing).content.decode()
    with time_machine.travel(at(2026, 3, 6, 10), tick=False):  # Fri; due Mon 9/3
        html = page(client, officer, processing).content.decode()
    assert "Due within 1 working day and no apology issued yet" in html
    assert "Due soon" in html


def test_more_than_one_supplement_request_is_flagged(client, desk, officer, processing):
    for hour in (10, 11):
        with time_machine.travel(at(2026, 3, 3, hour), tick=False):
            services.dossier_request_supplement(
                dossier=processing, user=officer, items=["Bản sao"], reason="Thiếu"
            )
        with time_machine.travel(at(2026, 3, 3, hour, 30), tick=False):
            services.dossier_resume(dossier=processing, user=desk)
    html = page(client, officer, processing).content.decode()
    assert "More than one supplement request" in html
    assert html.count("Additional documents requested") >= 2  # pauses and timeline


@pytest.mark.parametrize("who", ["other_agency_desk", "other_specialist", "nobody"])
def test_missing_and_forbidden_look_the_same(client, agency, processing, who):
    users = {
        "other_agency_desk": lambda: staff(AgencyFactory(code="000.00.21.H32"), Role.DESK_OFFICER),
        "other_specialist": lambda: staff(agency, Role.SPECIALIST),
        "nobody": lambda: staff(agency, Role.DESK_OFFICER),
    }
    user = users[who]()
    client.force_login(user)
    code = processing.code if who != "nobody" else "000.00.20.H32-260302-9999"
    assert client.get(reverse("dossiers:dossier-detail", args=[code])).status_code == 404
    response = client.post(
        reverse("dossiers:dossier-action", args=[code, "withdraw"]), {"withdraw-reason": "x"}
    )
    assert response.status_code == 404
    processing.refresh_from_db()
    assert processing.status == DossierStatus.PROCESSING


def test_detail_page_queries_are_bounded(
    client, desk, officer, boss, processing, django_assert_max_num_queries
):
    officers = [staff(processing.agency, Role.SPECIALIST) for _ in range(2)]
    for i in range(4):  # 4 more hand-overs: 5 in all
        with time_machine.travel(at(2026, 3, 3, 10, 5 + i), tick=False):
            services.dossier_assign(dossier=processing, handler=officers[i % 2], user=boss)
    for i in range(5):
        services.dossier_attach(
            dossier=processing,
            user=desk,
            uploaded_file=SimpleUploadedFile(f"scan-{i}.pdf", PDF, "application/pdf"),
        )
    for i in range(10):  # pauses add history rows: 30 events in all, the last pause open
        with time_machine.travel(at(2026, 3, 3, 11, i * 2), tick=False):
            services.dossier_request_supplement(
                dossier=processing, user=officers[1], items=["Giấy tờ"], reason=f"Lần {i}"
            )
        if i < 9:
            with time_machine.travel(at(2026, 3, 3, 11, i * 2 + 1), tick=False):
                services.dossier_resume(dossier=processing, user=desk)
    assert processing.events.count() == 30
    assert processing.transfers.count() == 5
    client.force_login(boss)
    with django_assert_max_num_queries(15):  # 13 measured
        response = client.get(processing.get_absolute_url())
    assert response.status_code == 200
    assert response.content.decode().count("scan-") == 5


# --- actions: one that may, one that may not -------------------------------------------------
def _received(dossier, **kwargs):
    return dossier


def _supplement_requested(dossier, *, desk, officer):
    services.dossier_request_supplement(
        dossier=dossier, user=officer, items=["Bản sao GCN"], reason="Thiếu"
    )
    return dossier


def _resolved(dossier, *, desk, officer):
    services.dossier_resolve(dossier=dossier, user=officer, result_summary="GP số 12")
    return dossier


ACTION_CASES = [
    # (action, prepare, who may, who may not, data, expected status, check)
    ("assign", _received, "desk", "officer", "HANDLER", DossierStatus.PROCESSING, None),
    (
        "request_supplement",
        _received,
        "officer",
        "desk",
        {"items": "Bản sao GCN ANTT\nSơ đồ", "reason": "Thiếu", "legal_basis": "NĐ 54/2019"},
        DossierStatus.SUPPLEMENT_REQUESTED,
        lambda d: d.pauses.get().items == ["Bản sao GCN ANTT", "Sơ đồ"],
    ),
    (
        "request_payment",
        _received,
        "officer",
        "desk",
        {"reason": "Lệ phí 200.000 đồng"},
        DossierStatus.AWAITING_PAYMENT,
        lambda d: d.supplement_request_count == 0,
    ),
    (
        "resume",
        _supplement_requested,
        "desk",
        "officer",
        {"note": "Đã nhận bản sao"},
        DossierStatus.PROCESSING,
        lambda d: d.pauses.get().ended_at is not None,
    ),
    (
        "reschedule",
        _received,
        "officer",
        "desk",
        {"reason": "Chờ xác minh", "new_due_on": "2026-03-13", "signed_by": "Trưởng phòng"},
        DossierStatus.PROCESSING,
        lambda d: d.rescheduled_due_at == at(2026, 3, 13, 17),
    ),
    (
        "resolve",
        _received,
        "officer",
        "desk",
        {"result_summary": "Giấy phép số 12/GP"},
        DossierStatus.RESOLVED,
        lambda d: d.result_summary == "Giấy phép số 12/GP",
    ),
    (
        "record_paper_result",
        _resolved,
        "desk",
        "officer",
        {},
        DossierStatus.RESOLVED,
        lambda d: d.paper_result_received_at is not None,
    ),
    (
        "return_result",
        _resolved,
        "desk",
        "officer",
        {"note": "Ông An nhận"},
        DossierStatus.RETURNED,
        None,
    ),
    (
        "stop",
        _received,
        "officer",
        "desk",
        {"reason": "Không đủ điều kiện"},
        DossierStatus.STOPPED,
        lambda d: d.refusal_reason == "Không đủ điều kiện",
    ),
    (
        "withdraw",
        _received,
        "desk",
        "officer",
        {"reason": "Công dân rút"},
        DossierStatus.WITHDRAWN,
        None,
    ),
]


@pytest.mark.parametrize(
    ("action", "prepare", "may", "may_not", "data", "status", "check"),
    ACTION_CASES,
    ids=[case[0] for case in ACTION_CASES],
)
def test_every_action_by_one_who_may_and_one_who_may_not(
    client, agency, desk, officer, processing, action, prepare, may, may_not, data, status, check
):
    users = {"desk": desk, "officer": officer}
    dossier = prepare(processing, desk=desk, officer=officer)
    before = Dossier.objects.get(pk=dossier.pk)
    events = dossier.events.count()
    if data == "HANDLER":
        data = {"handler": staff(agency, Role.SPECIALIST).pk, "note": "Chuyển người khác"}

    # Someone who can see the dossier but may not take this action: 404, nothing changes.
    response = act(client, users[may_not], dossier, action, data)
    assert response.status_code == 404
    assert dossier.events.count() == events
    assert Dossier.objects.get(pk=dossier.pk).status == before.status

    response = act(client, users[may], dossier, action, data)
    assert response.status_code == 302
    assert response["Location"] == dossier.get_absolute_url()
    dossier.refresh_from_db()
    assert dossier.status == status
    assert dossier.events.count() == events + 1
    if check is not None:
        assert check(dossier)
    follow = client.get(response["Location"])
    assert follow.context["messages"]._loaded_messages or list(follow.context["messages"])


def test_bad_input_shows_the_error_and_keeps_what_was_typed(client, officer, processing):
    response = act(
        client,
        officer,
        processing,
        "request_supplement",
        {"items": "Bản sao GCN PCCC\nĐơn Mẫu 01", "reason": "", "legal_basis": "NĐ 54/2019"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "State the reason." in html
    assert "Bản sao GCN PCCC\nĐơn Mẫu 01</textarea>" in html
    assert 'value="NĐ 54/2019"' in html
    assert '<details class="action action-primary" id="action-request_supplement" open>' in html
    assert re.search(r'<textarea name="request_supplement-reason"[^>]*autofocus', html)
    processing.refresh_from_db()
    assert processing.status == DossierStatus.PROCESSING


def test_a_broken_rule_shows_the_services_message_next_to_the_form(client, officer, processing):
    with time_machine.travel(at(2026, 3, 9, 9), tick=False):  # due today: too late
        response = act(
            client,
            officer,
            processing,
            "reschedule",
            {"reason": "Chờ xác minh", "new_due_on": "2026-03-13"},
        )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Too late to reschedule" in html
    assert 'value="2026-03-13"' in html
    assert processing.apologies.count() == 0


def test_a_new_date_on_a_day_off_is_refused_next_to_the_date(client, officer, processing):
    response = act(
        client, officer, processing, "reschedule", {"reason": "Chờ", "new_due_on": "2026-03-14"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    date_field = html.split('id="div_id_reschedule-new_due_on"')[1].split("</div>\n")[0:6]
    assert "The new date must be a working day." in "".join(date_field)


def test_an_action_not_possible_in_this_status_says_so(client, desk, processing):
    response = act(client, desk, processing, "return_result", {"note": ""})
    assert response.status_code == 302
    follow = client.get(response["Location"])
    assert "This action is not possible while the dossier is" in follow.content.decode()


def test_unknown_action_is_404_and_get_is_405(client, desk, processing):
    assert act(client, desk, processing, "explode").status_code == 404
    client.force_login(desk)
    url = reverse("dossiers:dossier-action", args=[processing.code, "withdraw"])
    assert client.get(url).status_code == 405


def test_assign_offers_only_active_staff_who_may_process(client, agency, desk, processing):
    inactive = staff(agency, Role.SPECIALIST, is_active=False, first_name="Nghỉ", last_name="Việc")
    other_desk = staff(agency, Role.DESK_OFFICER, first_name="Bàn", last_name="Khác")
    html = page(client, desk, processing).content.decode()
    options = html.split('name="assign-handler"')[1].split("</select>")[0]
    assert str(processing.handler) in options
    assert str(inactive) not in options and str(other_desk) not in options
    response = act(client, desk, processing, "assign", {"handler": other_desk.pk})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_resolve_with_an_electronic_result_file(client, officer, processing, private_storage):
    client.force_login(officer)
    url = reverse("dossiers:dossier-action", args=[processing.code, "resolve"])
    response = client.post(
        url,
        {
            "resolve-result_summary": "GP 12",
            "resolve-result_file": SimpleUploadedFile("gp.exe", EXE, "application/pdf"),
        },
    )
    assert response.status_code == 400
    assert "Only PDF, JPEG or PNG scans are accepted." in response.content.decode()
    response = client.post(
        url,
        {
            "resolve-result_summary": "GP 12",
            "resolve-result_file": SimpleUploadedFile("gp.pdf", PDF, "application/pdf"),
        },
    )
    assert response.status_code == 302
    processing.refresh_from_db()
    assert processing.status == DossierStatus.RESOLVED
    assert processing.result_file.name.endswith(".pdf")


# --- scans -----------------------------------------------------------------------------------
def upload(client, user, dossier, name, content, content_type="application/pdf"):
    client.force_login(user)
    return client.post(
        reverse("dossiers:dossier-action", args=[dossier.code, "attach"]),
        {"attach-file": SimpleUploadedFile(name, content, content_type)},
    )


def test_attach_a_scan_and_download_it(client, desk, processing):
    response = upload(client, desk, processing, "don-de-nghi.pdf", PDF)
    assert response.status_code == 302
    attachment = processing.attachments.get()
    assert attachment.original_name == "don-de-nghi.pdf"
    assert processing.events.filter(type=EventType.ATTACHMENT_ADDED).count() == 1
    html = page(client, desk, processing).content.decode()
    url = reverse("dossiers:attachment-download", args=[attachment.pk])
    assert url in html
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == PDF
    assert "no-store" in response["Cache-Control"]


def test_an_exe_renamed_pdf_is_refused(client, desk, processing):
    response = upload(client, desk, processing, "scan.pdf", EXE)
    assert response.status_code == 400
    assert "Only PDF, JPEG or PNG scans are accepted." in response.content.decode()
    assert processing.attachments.count() == 0


@override_settings(DOSSIER_ATTACHMENT_MAX_BYTES=1024 * 1024)
def test_an_oversize_scan_is_refused(client, desk, processing):
    response = upload(client, desk, processing, "big.png", PNG + b"\x00" * (1024 * 1024))
    assert response.status_code == 400
    assert "The file is too large (maximum 1 MB)." in response.content.decode()
    assert processing.attachments.count() == 0


def test_download_needs_the_permission_and_a_visible_dossier(
    client, agency, desk, officer, administrator, processing
):
    upload(client, desk, processing, "scan.pdf", PDF)
    url = reverse("dossiers:attachment-download", args=[processing.attachments.get().pk])
    client.force_login(officer)  # handles it: may open scans
    assert client.get(url).status_code == 200
    for user in (
        administrator,  # sees the dossier, lacks view_dossier_attachment
        staff(agency, Role.SPECIALIST),  # may open scans, not this dossier's
        staff(AgencyFactory(code="000.00.21.H32"), Role.DESK_OFFICER),
    ):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.force_login(desk)
    missing = reverse("dossiers:attachment-download", args=[999999])
    assert client.get(missing).status_code == 404


def test_a_second_reschedule_from_a_stale_page_says_why(client, officer, processing):
    data = {"reason": "Chờ xác minh", "new_due_on": "2026-03-13"}
    assert act(client, officer, processing, "reschedule", data).status_code == 302
    response = act(client, officer, processing, "reschedule", {**data, "new_due_on": "2026-03-16"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "it can be rescheduled only once" in html
    assert "reschedule" not in offered(response)
    assert processing.apologies.count() == 1
