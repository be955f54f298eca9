"""The citizen's public look-up: by code + last 4 phone digits, and by the QR link.

Pages are requested in English (the language switcher's cookie), so the assertions on wording
still hold once the Vietnamese catalogue exists; the same-answer and personal-data tests do not
depend on wording.
"""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

from accounts.constants import Role
from accounts.tests.factories import UserFactory
from dossiers import lookup, services
from dossiers.constants import DossierStatus, EventType
from dossiers.models import DossierEvent
from dossiers.tests.factories import applicant, register_dossier
from dossiers.tokens import lookup_path, lookup_token
from procedures.constants import ProcedureStatus
from procedures.models import Procedure
from procedures.tests.factories import ProcedureFactory

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")
URL = "/tra-cuu/"


def at(*args):
    return datetime(*args, tzinfo=VN)


@pytest.fixture
def client():
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the language switcher's choice
    return client


@pytest.fixture
def dossier(procedure, desk):
    # Thu 12/2/2026 09:00, 5 working days; Tết 16-20/2/2026 is skipped -> due Thu 26/2.
    return register_dossier(procedure=procedure, user=desk, received_at=at(2026, 2, 12, 9))


def ask(client, code, last4, **extra):
    return client.get(URL, {"code": code, "phone_last4": last4}, **extra)


def public_note(dossier, event_type) -> str:
    """The plain-words history line the services recorded (in the office's language)."""
    return dossier.events.get(type=event_type).public_note


def text_of(response) -> str:
    """The visible text of a page, whitespace collapsed (tags dropped)."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    return re.sub(r" ([:.,])", r"\1", text)


# --- the form ---------------------------------------------------------------------------------
def test_the_form_asks_for_the_code_and_4_digits_on_a_phone(client, agency):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="code"' in html and 'name="phone_last4"' in html
    assert 'inputmode="numeric"' in html
    assert html.count('autocomplete="off"') >= 2
    assert '<label for="id_code"' in html and '<label for="id_phone_last4"' in html
    assert "Printed on your receipt slip" in text_of(response)
    assert "Look up my dossier" in text_of(response)


# --- happy paths ------------------------------------------------------------------------------
def test_code_and_last_4_digits_show_the_dossier(client, dossier, procedure):
    response = ask(client, dossier.code, "3456")
    assert response.status_code == 200
    page = text_of(response)
    assert dossier.code in page
    assert procedure.name in page
    assert "Accepted" in page
    assert "Received" in page and "12/02/2026, 09:00" in page
    assert "26/02/2026" in page  # due date
    assert f'href="{procedure.get_absolute_url()}"' in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex"


def test_the_code_may_be_typed_in_lower_case_with_spaces(client, dossier):
    typed = " " + dossier.code.lower().replace("-", " - ") + " "
    response = ask(client, typed, " 3456 ")
    assert response.status_code == 200
    assert dossier.code in text_of(response)


def test_the_qr_link_opens_the_dossier_without_typing(client, dossier):
    response = client.get(lookup_path(dossier.code))
    assert response.status_code == 200
    assert dossier.code in text_of(response)
    assert "Accepted" in text_of(response)
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex"
    assert response["Referrer-Policy"] == "no-referrer"


def test_the_due_date_explanation_names_the_tet_holidays_skipped(client, dossier):
    page = text_of(ask(client, dossier.code, "3456"))
    assert "How we counted the date" in page
    assert "5 working days, counted from the first working day after Thursday 12/02/2026" in page
    for day, name in [
        ("16/02/2026", "Giao thừa Tết Nguyên Đán"),
        ("17/02/2026", "Tết Nguyên Đán"),
        ("20/02/2026", "Mùng bốn Tết Nguyên Đán"),
    ]:
        assert f"{day}: {name}" in page
    assert "So the result is due by Thursday 26/02/2026, 17:00" in page


def test_after_the_cut_off_the_explanation_says_which_day_counts(client, procedure, desk):
    # Fri 24/4/2026 16:00 counts from Tue 28/4 (27/4 observed Hùng Kings); DOMAIN.md §3.6.
    procedure.processing_time_amount = 3
    procedure.save()
    dossier = register_dossier(procedure=procedure, user=desk, received_at=at(2026, 4, 24, 16))
    page = text_of(ask(client, dossier.code, "3456"))
    assert "after the daily cut-off time or on a day off" in page
    assert "counts as received on Tuesday 28/04/2026" in page
    assert "30/04/2026: Ngày Chiến thắng" in page
    assert "due by Tuesday 05/05/2026" in page


def test_supplement_request_lists_the_documents_and_where_to_bring_them(
    client, dossier, desk, officer
):
    services.dossier_assign(dossier=dossier, handler=officer, user=desk)
    with time_machine.travel(at(2026, 2, 13, 9), tick=False):
        services.dossier_request_supplement(
            dossier=dossier,
            user=officer,
            items=["Bản sao Giấy chứng nhận đủ điều kiện PCCC", "Sơ đồ mặt bằng phòng hát"],
            reason="Thiếu giấy tờ",
        )
        response = ask(client, dossier.code, "3456")
    page = text_of(response)
    assert "Waiting for additional documents" in page
    assert "Bring these documents to the one-stop desk" in page
    items = re.search(r'data-testid="requested-items">(.*?)</ul>', response.content.decode(), re.S)
    assert items and "Bản sao Giấy chứng nhận đủ điều kiện PCCC" in items.group(1)
    assert "Sơ đồ mặt bằng phòng hát" in items.group(1)
    assert "Where: Bộ phận Một cửa, 01 Trần Phú, Nha Trang" in page  # receiving address
    assert "The clock is paused now" in page


def test_resumed_dossier_explains_the_pause(client, procedure, desk, officer):
    dossier = register_dossier(procedure=procedure, user=desk, received_at=at(2026, 3, 2, 9))
    services.dossier_assign(dossier=dossier, handler=officer, user=desk)
    with time_machine.travel(at(2026, 3, 4, 9), tick=False):
        services.dossier_request_supplement(
            dossier=dossier, user=officer, items=["Bản sao GCN ANTT"], reason="Thiếu"
        )
    with time_machine.travel(at(2026, 3, 6, 9), tick=False):  # two working days later
        services.dossier_resume(dossier=dossier, user=desk)
        page = text_of(ask(client, dossier.code, "3456"))
    assert "The clock was paused for 2 working days" in page
    assert "due by Wednesday 11/03/2026" in page
    assert public_note(dossier, EventType.RESUMED) in page  # the public history


def test_resolved_dossier_says_collect_the_result_with_office_hours(
    client, dossier, desk, officer, agency
):
    services.dossier_assign(dossier=dossier, handler=officer, user=desk)
    with time_machine.travel(at(2026, 2, 24, 10), tick=False):
        services.dossier_resolve(dossier=dossier, user=officer, result_summary="Giấy phép số 7")
    page = text_of(ask(client, dossier.code, "3456"))
    assert "Your result is ready." in page
    assert "Collect your result at the one-stop desk." in page
    assert f"When: {agency.office_hours}" in page
    assert "At the one-stop desk, ready for you to collect." in page


def test_rescheduled_dossier_apologises_and_gives_the_new_date(client, procedure, desk, officer):
    dossier = register_dossier(procedure=procedure, user=desk, received_at=at(2026, 3, 2, 9))
    services.dossier_assign(dossier=dossier, handler=officer, user=desk)
    with time_machine.travel(at(2026, 3, 5, 9), tick=False):
        services.dossier_reschedule(
            dossier=dossier, user=officer, reason="Chờ xác minh", new_due_at=at(2026, 3, 13, 17)
        )
        page = text_of(ask(client, dossier.code, "3456"))
    assert "We apologise: we could not finish your dossier by 09/03/2026" in page
    assert "Your new appointment is Friday 13/03/2026" in page


def test_refused_dossier_points_to_the_slip_and_the_hotline(client, procedure, desk, agency):
    dossier = services.dossier_refuse_at_intake(
        procedure=procedure, applicant=applicant(), reason="Không thuộc thẩm quyền", user=desk
    )
    page = text_of(ask(client, dossier.code, "3456"))
    assert "Your dossier was not accepted." in page
    assert "refusal slip" in page
    assert agency.hotline in page
    assert "How we counted the date" not in page  # no due date for a refused dossier


def test_procedure_link_only_while_the_procedure_code_is_published(client, dossier, procedure):
    link = f'href="{procedure.get_absolute_url()}"'
    Procedure.objects.filter(pk=procedure.pk).update(status=ProcedureStatus.RETIRED)
    response = ask(client, dossier.code, "3456")
    assert procedure.name in text_of(response)  # the version the dossier was received under
    assert link not in response.content.decode()
    # A revised version of the same procedure code is published: the link comes back.
    ProcedureFactory(
        agency=procedure.agency, code=procedure.code, version=2, status=ProcedureStatus.PUBLISHED
    )
    assert link in ask(client, dossier.code, "3456").content.decode()


# --- what is never shown ----------------------------------------------------------------------
SECRETS = {
    "name": "Quách Thị Zenobia",
    "phone": "0912 778 899",
    "id_number": "079188004321",
    "email": "zenobia.private@example.net",
    "address": "77 Đường Xylophone, phường Bí Mật",
}


def test_no_personal_data_officer_names_attachments_or_internal_notes(client, procedure, agency):
    desk = UserFactory(department__agency=agency, first_name="Deskina", last_name="Quarkova")
    desk.groups.add(Group.objects.get(name=Role.DESK_OFFICER))
    # An officer without a department: the services write the officer's name as the unit.
    officer = UserFactory(department=None, first_name="Officerius", last_name="Zamboni")
    officer.groups.add(Group.objects.get(name=Role.SPECIALIST))
    leader = UserFactory(department__agency=agency, first_name="Leadora", last_name="Vexhammer")
    leader.groups.add(Group.objects.get(name=Role.LEADER))
    dossier = services.dossier_register(
        procedure=procedure,
        applicant=applicant(**SECRETS),
        documents=[services.DocumentData(name="Đơn đề nghị")],
        user=desk,
        received_at=at(2026, 3, 2, 9),
        note="GHI-CHU-NOI-BO-intake",
    )
    services.dossier_assign(dossier=dossier, handler=officer, user=desk, note="NOTE-ASSIGN-xyz")
    services.dossier_attach(
        dossier=dossier,
        user=desk,
        uploaded_file=SimpleUploadedFile(
            "scan-cccd-zenobia.pdf", b"%PDF-1.4 test", content_type="application/pdf"
        ),
    )
    with time_machine.travel(at(2026, 3, 3, 9), tick=False):
        services.dossier_request_supplement(
            dossier=dossier, user=leader, items=["Bản sao GCN"], reason="REASON-INTERNAL-abc"
        )
    with time_machine.travel(at(2026, 3, 4, 9), tick=False):
        services.dossier_resume(dossier=dossier, user=desk, note="NOTE-RESUME-def")
    with time_machine.travel(at(2026, 3, 5, 9), tick=False):
        services.dossier_reschedule(
            dossier=dossier,
            user=leader,
            reason="APOLOGY-REASON-ghi",
            new_due_at=at(2026, 3, 16, 17),
            signed_by="Signer Ulvhild",
        )
    by_code = ask(client, dossier.code, "8899")
    by_token = client.get(lookup_path(dossier.code))
    assert by_code.status_code == by_token.status_code == 200
    never = [
        *SECRETS.values(),
        "0912778899",
        "+84912778899",
        "912778899",
        "8899",
        "Zenobia",
        "Deskina",
        "Quarkova",
        "Officerius",
        "Zamboni",
        "Leadora",
        "Vexhammer",
        "Ulvhild",
        "scan-cccd",
        "GHI-CHU-NOI-BO",
        "NOTE-ASSIGN",
        "REASON-INTERNAL",
        "NOTE-RESUME",
        "APOLOGY-REASON",
        "zenobia.private",
    ]
    for response in (by_code, by_token):
        # The language switcher carries the page's own URL (what the citizen typed) as `next`.
        html = re.sub(r'name="next" type="hidden" value="[^"]*"', "", response.content.decode())
        leaked = [value for value in never if value.lower() in html.lower()]
        assert leaked == []
    # What *is* shown: the dossier, its public history with a neutral unit name for the officer.
    page = text_of(by_code)
    assert dossier.code in page
    handed_over = public_note(dossier, EventType.ASSIGNED)
    assert "Officerius" in handed_over  # what the service recorded...
    with translation.override(settings.LANGUAGE_CODE):
        neutral = translation.gettext("the specialist office")
    shown = re.sub("Zamboni Officerius|Officerius Zamboni", neutral, handed_over)
    assert shown in page  # ...and what is shown
    assert public_note(dossier, EventType.RESCHEDULED) in page
    assert "We apologise" in page


def test_internal_events_stay_out_of_the_timeline(client, dossier, desk):
    DossierEvent.objects.create(
        dossier=dossier,
        type=EventType.UPDATED,
        at=at(2026, 2, 12, 10),
        note="internal",
        public_note="SHOULD-NOT-SHOW",
        is_public=False,
        actor=desk,
    )
    page = text_of(ask(client, dossier.code, "3456"))
    assert public_note(dossier, EventType.ACCEPTED) in page
    assert "SHOULD-NOT-SHOW" not in page


# --- wrong answers look the same --------------------------------------------------------------
def same(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "<CSRF>", html)


def test_wrong_code_and_wrong_phone_give_exactly_the_same_answer(client, dossier):
    unknown_code = dossier.code[:-4] + "9999"
    wrong_code = ask(client, unknown_code, "3456")
    wrong_phone = ask(client, dossier.code, "0000")
    assert wrong_code.status_code == wrong_phone.status_code == 404
    # The typed code is echoed back into the form, and each page has its own CSRF token (the
    # language switcher); apart from that the pages are identical.
    first = same(wrong_code.content.decode().replace(unknown_code, "<C>").replace("3456", "<N>"))
    second = same(wrong_phone.content.decode().replace(dossier.code, "<C>").replace("0000", "<N>"))
    assert first == second
    assert "We found no dossier with this code and these 4 digits" in text_of(wrong_code)
    assert sorted(wrong_code.headers.items()) == sorted(wrong_phone.headers.items())


# --- malformed input --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"code": "", "phone_last4": ""}, "Enter the dossier code"),
        ({"code": "000.00.20.H32-260212-0001"}, "Enter the last 4 digits"),
        ({"phone_last4": "3456"}, "Enter the dossier code"),
        ({"code": "A" * 500, "phone_last4": "3456"}, "This code is too long"),
        ({"code": "000.00.20.H32-260212-0001", "phone_last4": "34567"}, "Enter exactly 4 digits"),
        ({"code": "000.00.20.H32-260212-0001", "phone_last4": "9" * 40}, "Enter only the last 4"),
        ({"code": "000.00.20.H32-260212-0001", "phone_last4": "34a6"}, "Enter exactly 4 digits"),
        ({"code": "000.00.20.H32-260212-0001", "phone_last4": "٣٤٥٦"}, "Enter exactly 4 digits"),
        ({"code": "000.00.20.H32-260212-0001", "phone_last4": "34\x0056"}, "Null characters"),
        ({"code": "000.00.20.H32\x00-260212-0001", "phone_last4": "3456"}, "Null characters"),
        ({"code": "mã hồ sơ của tôi", "phone_last4": "3456"}, "This is not a dossier code"),
        ({"code": "<script>alert(1)</script>", "phone_last4": "3456"}, "not a dossier code"),
        ({"code": "'; DROP TABLE x; --", "phone_last4": "3456"}, "not a dossier code"),
        ({"code": "🙂🙂🙂🙂🙂", "phone_last4": "🙂🙂🙂🙂"}, "not a dossier code"),
    ],
)
def test_malformed_input_shows_the_form_again_with_a_message(client, dossier, params, message):
    response = client.get(URL, params)
    assert response.status_code == 400
    page = text_of(response)
    assert message in page
    assert 'name="phone_last4"' in response.content.decode()  # the form is there again
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_full_width_digits_are_read_as_digits(client, dossier):
    assert ask(client, dossier.code, "３４５６").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/tra-cuu/{code}/",  # no token
        "/tra-cuu/{code}/?t=",
        "/tra-cuu/{code}/?t=forged-token-value",
        "/tra-cuu/{code}/?t={other}",  # a genuine token of another code
        "/tra-cuu/{code}/?t={token}x",  # tampered
        "/tra-cuu/{code}%00/?t={token}",
        "/tra-cuu/" + "9" * 300 + "/?t={token}",
    ],
)
def test_a_forged_or_missing_token_gives_a_clear_page_with_the_form(client, dossier, path):
    url = path.format(
        code=dossier.code, token=lookup_token(dossier.code), other=lookup_token("OTHER-CODE")
    )
    response = client.get(url)
    assert response.status_code == 404
    page = text_of(response)
    assert "This link is not valid" in page
    assert 'name="phone_last4"' in response.content.decode()
    assert "Accepted" not in page and "Dossier received" not in page
    assert response["X-Robots-Tag"] == "noindex"


# --- rate limits ------------------------------------------------------------------------------
@override_settings(LOOKUP_RATE_PER_IP="3/m", LOOKUP_RATE_PER_CODE="100/h")
def test_too_many_attempts_from_one_address_get_429(client, dossier, agency):
    for n in range(3):
        assert ask(client, dossier.code[:-4] + f"{n:04d}", "1111").status_code == 404
    response = ask(client, dossier.code, "3456")  # even the right answer now waits
    assert response.status_code == 429
    page = text_of(response)
    assert "Too many attempts" in page
    assert "Please try again in 1 minute" in page
    assert agency.hotline in page
    assert 1 <= int(response["Retry-After"]) <= 60
    # The QR link from the same address is limited too; another address is not.
    assert client.get(lookup_path(dossier.code)).status_code == 429
    assert ask(client, dossier.code, "3456", REMOTE_ADDR="10.0.0.9").status_code == 200
    # The empty form is no attempt and stays available.
    assert client.get(URL).status_code == 200


@override_settings(LOOKUP_RATE_PER_IP="100/m", LOOKUP_RATE_PER_CODE="2/h")
def test_too_many_attempts_on_one_code_get_429_from_any_address(client, dossier):
    for n, ip in enumerate(["10.0.0.1", "10.0.0.2"]):
        assert ask(client, dossier.code, f"{n:04d}", REMOTE_ADDR=ip).status_code == 404
    response = ask(client, dossier.code, "3456", REMOTE_ADDR="10.0.0.3")
    assert response.status_code == 429
    assert "Please try again in" in text_of(response)
    assert 1 <= int(response["Retry-After"]) <= 3600
    # Typing the code differently does not reset the count; another code is not affected.
    assert ask(client, dossier.code.lower(), "3456", REMOTE_ADDR="10.0.0.4").status_code == 429
    other = dossier.code[:-4] + "0002"
    assert ask(client, other, "3456", REMOTE_ADDR="10.0.0.3").status_code == 404
    # The QR link does not count against the code: the owner can still open it.
    assert client.get(lookup_path(dossier.code), REMOTE_ADDR="10.0.0.5").status_code == 200


@override_settings(LOOKUP_RATE_PER_IP="", LOOKUP_RATE_PER_CODE="")
def test_empty_rate_settings_switch_the_limits_off(client, dossier):
    for _ in range(25):
        assert ask(client, dossier.code, "0000").status_code == 404


# --- bounded queries --------------------------------------------------------------------------
def test_query_count_does_not_grow_with_the_history(
    client, dossier, desk, officer, agency, django_assert_max_num_queries
):
    services.dossier_assign(dossier=dossier, handler=officer, user=desk)
    second = UserFactory(department__agency=agency)
    second.groups.add(Group.objects.get(name=Role.SPECIALIST))
    services.dossier_assign(dossier=dossier, handler=second, user=desk)  # earlier handler
    DossierEvent.objects.bulk_create(
        DossierEvent(
            dossier=dossier,
            type=EventType.UPDATED,
            at=at(2026, 2, 13, 8, n),
            public_note=f"Public step {n}",
            actor=desk,
        )
        for n in range(20)
    )
    with time_machine.travel(at(2026, 2, 13, 10), tick=False):
        services.dossier_request_supplement(
            dossier=dossier, user=second, items=["Bản sao GCN"], reason="Thiếu"
        )
    # Cold caches (calendar overrides): the selector alone.
    with django_assert_max_num_queries(5):
        view = lookup.public_dossier(code=dossier.code, phone_last4="3456")
    assert len(view.timeline) == 24 and view.requested_items == ["Bản sao GCN"]
    # The whole page, with the agency and calendar caches warm.
    ask(client, dossier.code, "3456")
    with django_assert_max_num_queries(5):
        response = ask(client, dossier.code, "3456")
    assert response.status_code == 200
    assert "Public step 19" in text_of(response)


def test_selector_returns_nothing_without_a_query_for_malformed_input(
    dossier, django_assert_num_queries
):
    with django_assert_num_queries(0):
        assert lookup.public_dossier(code="x", phone_last4="3456") is None
        assert lookup.public_dossier(code=dossier.code, phone_last4="12") is None
        assert lookup.public_dossier_by_token(code=dossier.code, token="nope") is None


def test_the_view_model_carries_no_personal_fields(dossier):
    view = lookup.public_dossier(code=dossier.code, phone_last4="3456")
    assert view.status == DossierStatus.ACCEPTED
    values = " ".join(str(value) for value in vars(view).values())
    assert "Nguyễn Văn An" not in values and "an@example.com" not in values
    assert "056090001234" not in values and "3456" not in values


# --- cached result pages ----------------------------------------------------------------------
def page_without_tokens(response) -> str:
    """The page with its per-request parts (CSRF token, the switcher's `next`) blanked."""
    html = same(response.content.decode())
    return re.sub(r'name="next" type="hidden" value="[^"]*"', 'name="next"', html)


def test_a_repeated_look_up_is_served_from_the_cache_with_one_query(
    client, dossier, django_assert_num_queries
):
    first = ask(client, dossier.code, "3456")
    with django_assert_num_queries(1):  # the check of code + digits, which also gives the version
        second = ask(client, dossier.code, "3456")
    assert second.status_code == 200
    assert page_without_tokens(second) == page_without_tokens(first)
    assert second["Cache-Control"] == "private, no-store"
    assert second["X-Robots-Tag"] == "noindex" and second["Referrer-Policy"] == "no-referrer"


def test_the_cached_page_gets_this_request_s_csrf_token_and_address(dossier):
    first, second = Client(), Client()
    for visitor in (first, second):
        visitor.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    ask(first, dossier.code, "3456")
    typed = dossier.code.lower()
    response = ask(second, typed, "3456")  # from the cache
    html = response.content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    assert len(token) == 64 and "slot-" not in html
    assert f'name="next" type="hidden" value="{URL}?code={typed}&amp;phone_last4=3456"' in html
    # The token is valid for this visitor's CSRF cookie: the language switcher works.
    switch = Client(enforce_csrf_checks=True)
    switch.cookies = second.cookies
    posted = switch.post(
        reverse("set_language"), {"language": "vi", "next": URL, "csrfmiddlewaretoken": token}
    )
    assert posted.status_code == 302


def test_the_cache_holds_no_phone_digits_and_no_csrf_token(client, dossier):
    from django.core.cache import cache

    from dossiers.views import lookup as views

    response = ask(client, dossier.code, "3456")
    with translation.override("en"):
        match = lookup.find_dossier(code=dossier.code, phone_last4="3456")
        stored = cache.get(views._page_key(match))
    assert stored is not None
    assert "3456" not in stored and "phone_last4" not in stored
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())
    assert token.group(1) not in stored


def test_a_change_to_the_dossier_shows_at_once_on_the_next_look_up(client, dossier, desk, officer):
    services.dossier_assign(dossier=dossier, handler=officer, user=desk)
    assert "Bring these documents" not in text_of(ask(client, dossier.code, "3456"))
    client.get(lookup_path(dossier.code))  # the QR link shares the cached page
    with time_machine.travel(at(2026, 2, 13, 9), tick=False):
        services.dossier_request_supplement(
            dossier=dossier, user=officer, items=["Bản sao GCN ANTT"], reason="Thiếu"
        )
        for response in (ask(client, dossier.code, "3456"), client.get(lookup_path(dossier.code))):
            page = text_of(response)
            assert "Waiting for additional documents" in page
            assert "Bản sao GCN ANTT" in page


def test_a_new_public_event_alone_shows_at_once(client, dossier, desk):
    ask(client, dossier.code, "3456")
    DossierEvent.objects.create(  # without touching the dossier row
        dossier=dossier, type=EventType.UPDATED, at=at(2026, 2, 12, 11), public_note="STEP-XYZ"
    )
    assert "STEP-XYZ" in text_of(ask(client, dossier.code, "3456"))


def test_an_edit_of_the_agency_or_the_calendar_shows_at_once(client, dossier, agency):
    from core.models import CalendarOverride

    ask(client, dossier.code, "3456")
    agency.hotline = "0258 9999 888"
    agency.save()
    assert "0258 9999 888" in text_of(ask(client, dossier.code, "3456"))
    CalendarOverride.objects.create(
        day=at(2026, 2, 13).date(), kind=CalendarOverride.Kind.DAY_OFF, name="NGHI-THEM-ABC"
    )
    assert "NGHI-THEM-ABC" in text_of(ask(client, dossier.code, "3456"))


def test_a_wrong_phone_gets_the_same_404_even_when_the_right_one_is_cached(client, dossier):
    assert ask(client, dossier.code, "3456").status_code == 200  # now cached
    unknown_code = dossier.code[:-4] + "9999"
    wrong_code = ask(client, unknown_code, "3456")
    wrong_phone = ask(client, dossier.code, "0000")
    assert wrong_code.status_code == wrong_phone.status_code == 404
    first = same(wrong_code.content.decode().replace(unknown_code, "<C>").replace("3456", "<N>"))
    second = same(wrong_phone.content.decode().replace(dossier.code, "<C>").replace("0000", "<N>"))
    assert first == second
    assert "Accepted" not in text_of(wrong_phone)
    assert sorted(wrong_code.headers.items()) == sorted(wrong_phone.headers.items())


def test_another_language_is_not_served_from_the_vietnamese_cache(dossier):
    citizen = Client()  # no language cookie: Vietnamese
    vietnamese = ask(citizen, dossier.code, "3456")
    assert '<html lang="vi">' in vietnamese.content.decode()
    citizen.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = ask(citizen, dossier.code, "3456")
    assert '<html lang="en">' in english.content.decode()
    assert '<option value="en" selected lang="en">' in english.content.decode()
    assert "What you need to do" in text_of(english)


def test_staff_get_their_own_page_not_the_cached_one(client, dossier, desk):
    ask(client, dossier.code, "3456")  # cached for anonymous visitors
    staff_client = Client()
    staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    staff_client.force_login(desk)
    html = ask(staff_client, dossier.code, "3456").content.decode()
    assert reverse("accounts:logout") in html
    assert reverse("accounts:logout") not in ask(client, dossier.code, "3456").content.decode()


def test_a_cached_page_does_not_outlive_the_moment_the_dossier_becomes_late(dossier):
    from dossiers.views import lookup as views

    # Due Thu 26/2/2026 17:00: the page may be kept until then, not longer.
    with time_machine.travel(at(2026, 2, 26, 16, 59, 30), tick=False):
        view = lookup.public_dossier(code=dossier.code, phone_last4="3456")
        assert not view.is_overdue
        assert views._page_timeout(view) == 30
    with time_machine.travel(at(2026, 2, 20, 9), tick=False):
        view = lookup.public_dossier(code=dossier.code, phone_last4="3456")
        assert views._page_timeout(view) == views.PAGE_CACHE_SECONDS
    with time_machine.travel(at(2026, 2, 27, 9), tick=False):
        view = lookup.public_dossier(code=dossier.code, phone_last4="3456")
        assert view.is_overdue
        assert views._page_timeout(view) == views.PAGE_CACHE_SECONDS


def test_the_late_notice_appears_on_the_next_day_although_the_page_was_cached(client, dossier):
    with time_machine.travel(at(2026, 2, 26, 9), tick=False):
        assert "Your dossier is late" not in text_of(ask(client, dossier.code, "3456"))
    with time_machine.travel(at(2026, 2, 27, 9), tick=False):
        assert "Your dossier is late" in text_of(ask(client, dossier.code, "3456"))
