"""The desk's intake screen: procedure picker, components checklist, the three outcomes."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.constants import Role
from accounts.tests.factories import AgencyFactory
from dossiers.constants import DocumentKind, DossierStatus
from dossiers.models import Dossier, IntakeGuidance
from dossiers.tests.factories import published_procedure, staff
from procedures.tests.factories import ProcedureFactory

pytestmark = pytest.mark.django_db
URL = reverse("dossiers:dossier-intake")
PICKER = reverse("dossiers:procedure-picker")


@pytest.fixture
def desk_client(client, desk):
    client.force_login(desk)
    return client


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # pages default to Vietnamese


def _payload(proc, **overrides):
    first, second = proc.components.all()
    data = {
        "procedure": proc.pk,
        f"doc-{first.pk}-received": "on",
        f"doc-{first.pk}-kind": DocumentKind.ORIGINAL,
        f"doc-{first.pk}-quantity": "1",
        f"doc-{second.pk}-kind": DocumentKind.COPY,
        f"doc-{second.pk}-quantity": "1",
        "other_kind": DocumentKind.COPY,
        "other_quantity": "1",
        "applicant_type": "person",
        "applicant_name": "Trần Thị Bích",
        "applicant_id_number": "056190001234",
        "applicant_phone": "0905 123 456",
        "applicant_email": "",
        "applicant_address": "12 Lê Thánh Tôn, Nha Trang",
        "channel": "1",
        "set_count": "1",
        "outcome": "accept",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- the empty screen and the picker ---------------------------------------------------------
def test_the_form_lists_only_this_desks_published_procedures(desk_client, procedure, agency):
    draft = ProcedureFactory(agency=agency, name="Thủ tục nháp")
    other = published_procedure(AgencyFactory(code="000.00.21.H32"), name="Thủ tục nơi khác")
    response = desk_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'value="{procedure.pk}"' in html
    assert f'value="{draft.pk}"' not in html
    assert f'value="{other.pk}"' not in html
    # No JS needed: the select is focused and a button reloads with its documents.
    assert 'id="id_procedure_select" class="form-select form-select-sm" autofocus' in html
    assert "Show its documents" in html
    assert 'id="intake-form"' not in html


def test_choosing_a_procedure_shows_its_components_unticked_with_consent_unticked(
    desk_client, procedure
):
    response = desk_client.get(URL, {"procedure": procedure.pk})
    assert response.status_code == 200
    html = response.content.decode()
    first, second = procedure.components.all()
    assert first.name in html and second.name in html
    # The first checkbox takes the focus; nothing is pre-ticked, consents included.
    assert f'name="doc-{first.pk}-received" id="id_doc-{first.pk}-received" autofocus' in html
    checkboxes = re.findall(r'<input type="checkbox"[^>]*>', html)
    assert len(checkboxes) == 4  # two components, SMS and email consent
    assert not [box for box in checkboxes if "checked" in box]
    # Kind prefilled from the procedure: the second component is a copy.
    assert '<option value="copy" selected>' in html.split(f'name="doc-{second.pk}-kind"')[1]
    assert "Result due if accepted now" in html


def test_an_unknown_procedure_id_is_a_message_not_an_error(desk_client, procedure):
    response = desk_client.get(URL, {"procedure": "abc"})
    assert response.status_code == 200
    assert "cannot be received here" in response.content.decode()
    assert 'id="intake-form"' not in response.content.decode()


def test_only_staff_who_receive_dossiers_may_open_intake(client, officer, procedure):
    assert client.get(URL).status_code == 302  # login first
    client.force_login(officer)
    assert client.get(URL).status_code == 403
    assert client.post(URL, _payload(procedure)).status_code == 403
    assert client.get(PICKER, {"q": "thu"}).status_code == 403
    assert Dossier.objects.count() == 0


def test_picker_search_ignores_accents_and_case(desk_client, agency):
    wanted = published_procedure(agency, name="Đăng ký tổ chức lễ hội")
    published_procedure(agency, name="Cấp giấy phép karaoke")
    ProcedureFactory(agency=agency, name="Đăng ký nháp chưa công bố")
    response = desk_client.get(PICKER, {"q": "DANG KY le hoi"})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [row["id"] for row in results] == [wanted.pk]
    assert results[0]["processing_time"].startswith("5 ")


# --- accept ----------------------------------------------------------------------------------
def test_accept_registers_and_opens_the_receipt_for_printing(
    desk_client, procedure, desk, django_assert_max_num_queries
):
    with django_assert_max_num_queries(20):
        response = desk_client.post(URL, _payload(procedure))
    dossier = Dossier.objects.get()
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("dossiers:dossier-slip", args=[dossier.code, "receipt"]) + "?print=1"
    )
    assert dossier.status == DossierStatus.ACCEPTED
    assert dossier.received_by == desk
    assert dossier.applicant_phone == "+84905123456"
    assert (dossier.consent_sms, dossier.consent_email) == (False, False)
    documents = list(dossier.documents.all())
    assert [(d.name, d.kind) for d in documents] == [
        (procedure.components.first().name, DocumentKind.ORIGINAL)
    ]


def test_enter_without_a_button_value_means_accept(desk_client, procedure):
    response = desk_client.post(URL, _payload(procedure, outcome=None, other_document="Tờ khai"))
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert dossier.documents.count() == 2
    assert dossier.documents.last().name == "Tờ khai"


def test_bad_input_is_shown_next_to_the_fields_and_everything_typed_is_kept(desk_client, procedure):
    first = procedure.components.first()
    response = desk_client.post(
        URL,
        _payload(
            procedure,
            applicant_phone="12345",
            applicant_id_number="999190001234",
            applicant_email="an@example.com",
            note="Khách hẹn quay lại",
            **{f"doc-{first.pk}-received": None},
        ),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "is not a valid Vietnamese phone number" in html
    assert "are not a province code" in html
    assert "Tick at least one document received." in html
    for typed in ('value="12345"', 'value="999190001234"', "Trần Thị Bích", "an@example.com"):
        assert typed in html
    assert "Khách hẹn quay lại" in html
    # The cursor goes back to the first field in error.
    focused = re.findall(r"<input[^>]*autofocus[^>]*>", html)
    assert len(focused) == 1 and 'name="applicant_id_number"' in focused[0]
    assert Dossier.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"applicant_name": ""}, "Enter the applicant&#x27;s name."),
        ({"applicant_address": ""}, "Enter the applicant&#x27;s address."),
        ({"applicant_phone": ""}, "Enter a phone number."),
        ({"applicant_type": "organisation"}, "Enter the organisation&#x27;s name."),
        ({"consent_email": "on"}, "Enter an email address to send email notices."),
        ({"set_count": "0"}, "greater than or equal to 1"),
    ],
)
def test_accept_needs_the_applicant(desk_client, procedure, overrides, message):
    response = desk_client.post(URL, _payload(procedure, **overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Dossier.objects.count() == 0


def test_consent_is_recorded_only_when_ticked(desk_client, procedure):
    desk_client.post(URL, _payload(procedure, consent_sms="on"))
    dossier = Dossier.objects.get()
    assert dossier.consent_sms is True
    assert dossier.consent_email is False
    assert dossier.consent_recorded_at is not None


def test_posting_without_a_procedure_goes_back_to_the_picker(desk_client, procedure):
    response = desk_client.post(URL, _payload(procedure, procedure=None), follow=True)
    assert response.redirect_chain == [(URL, 302)]
    assert "Choose the procedure first." in response.content.decode()
    assert Dossier.objects.count() == 0


def test_a_procedure_of_another_desk_cannot_be_posted(desk_client, procedure):
    other = published_procedure(AgencyFactory(code="000.00.21.H32"))
    payload = _payload(procedure, procedure=other.pk)
    response = desk_client.post(URL, payload)
    assert response.status_code == 302
    assert response["Location"] == URL
    assert Dossier.objects.count() == 0


# --- refuse and incomplete -------------------------------------------------------------------
def test_refuse_needs_reasons_then_prints_the_refusal_slip(desk_client, procedure):
    response = desk_client.post(URL, _payload(procedure, outcome="refuse"))
    assert response.status_code == 400
    assert "State the specific reasons." in response.content.decode()
    assert Dossier.objects.count() == 0

    response = desk_client.post(
        URL, _payload(procedure, outcome="refuse", reason="Không thuộc thẩm quyền")
    )
    dossier = Dossier.objects.get()
    assert dossier.status == DossierStatus.REFUSED
    assert dossier.refusal_reason == "Không thuộc thẩm quyền"
    assert response["Location"] == (
        reverse("dossiers:dossier-slip", args=[dossier.code, "refusal"]) + "?print=1"
    )


def test_incomplete_lists_every_missing_item_and_accepts_nothing(desk_client, procedure):
    response = desk_client.post(
        URL,
        _payload(procedure, outcome="incomplete", reason="Thiếu thành phần", missing_items=""),
    )
    assert response.status_code == 400
    assert "List every document to add or correct" in response.content.decode()

    response = desk_client.post(
        URL,
        _payload(
            procedure,
            outcome="incomplete",
            applicant_phone="",
            applicant_address="",
            missing_items="- Bản sao GCN PCCC\r\n\r\n  Đơn theo Mẫu 01  \r\n",
            reason="Hồ sơ chưa đủ thành phần",
        ),
    )
    guidance = IntakeGuidance.objects.get()
    assert guidance.items == ["Bản sao GCN PCCC", "Đơn theo Mẫu 01"]
    assert guidance.applicant_name == "Trần Thị Bích"
    assert response["Location"] == (
        reverse("dossiers:guidance-slip", args=[guidance.pk]) + "?print=1"
    )
    assert Dossier.objects.count() == 0


def test_another_desk_officer_of_another_agency_sees_nothing_of_ours(client, procedure):
    other_agency = AgencyFactory(code="000.00.21.H32")
    client.force_login(staff(other_agency, Role.DESK_OFFICER))
    response = client.get(URL, {"procedure": procedure.pk})
    assert 'id="intake-form"' not in response.content.decode()
    assert client.get(PICKER).json()["results"] == []
