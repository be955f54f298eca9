"""The demo catalogue (procedures/demo.py): content, sample forms, idempotence."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.storage import default_storage

from core.calendar import TimeUnit
from procedures import demo
from procedures.constants import ProcedureLevel, ProcedureStatus, SubmissionChannel
from procedures.demo_forms.generate import FORMS_BY_FILENAME, MAX_BYTES
from procedures.models import (
    DossierComponent,
    Field,
    Procedure,
    ProcedureStep,
    SubmissionMethod,
    WorkflowStep,
)

pytestmark = pytest.mark.django_db

MODELS = [Procedure, ProcedureStep, SubmissionMethod, DossierComponent, WorkflowStep, Field]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def _stored_files(root: Path):
    return sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file())


def test_seed_creates_the_published_catalogue(agency, media):
    created = demo.seed(agency=agency)

    assert created == len(demo.PROCEDURES) == 12
    procedures = Procedure.objects.filter(status=ProcedureStatus.PUBLISHED)
    assert procedures.count() == 12
    for procedure in procedures:
        assert procedure.version == 1
        assert procedure.level == ProcedureLevel.DISTRICT
        assert procedure.agency == agency
        assert procedure.local_code == f"{procedure.code}.000.00.00.H32"
        assert procedure.published_at is not None
        assert procedure.steps.count() >= 3
        assert procedure.components.exists()
        assert set(procedure.methods.values_list("channel", flat=True)) == set(
            SubmissionChannel.values
        )
        workflow = list(procedure.workflow_steps.all())
        assert sum(step.time_budget for step in workflow) == procedure.processing_time_amount
        assert {step.time_budget_unit for step in workflow} == {procedure.processing_time_unit}


def test_every_form_is_a_stored_pdf(agency, media):
    demo.seed(agency=agency)

    with_form = DossierComponent.objects.exclude(form_name="")
    assert with_form.count() == len(FORMS_BY_FILENAME)
    for component in with_form:
        assert component.form_file, component.name
        assert default_storage.exists(component.form_file.name)
        with default_storage.open(component.form_file.name, "rb") as handle:
            assert handle.read(5) == b"%PDF-"
        assert component.form_file.size < MAX_BYTES
    assert not DossierComponent.objects.filter(form_name="").exclude(form_file="").exists()


def test_committed_sample_forms_are_small_pdfs():
    for filename in FORMS_BY_FILENAME:
        path = demo.FORMS_DIR / filename
        assert path.read_bytes()[:5] == b"%PDF-", filename
        assert path.stat().st_size < MAX_BYTES, filename


def test_second_run_creates_nothing(agency, media):
    demo.seed(agency=agency)
    counts, files = _counts(), _stored_files(media)

    assert demo.seed(agency=agency) == 0

    assert _counts() == counts
    assert _stored_files(media) == files
    assert not Procedure.objects.filter(version__gt=1).exists()


def test_reseeding_an_emptied_database_reuses_stored_forms(agency, media):
    demo.seed(agency=agency)
    files = _stored_files(media)
    Procedure.objects.all().delete()

    assert demo.seed(agency=agency) == 12

    assert _stored_files(media) == files


def test_existing_code_is_left_alone(agency, media):
    demo.seed(agency=agency)
    karaoke = Procedure.objects.get(code="1.000963")
    karaoke.status = ProcedureStatus.RETIRED
    karaoke.save(update_fields=["status"])

    assert demo.seed(agency=agency) == 0
    assert Procedure.objects.filter(code="1.000963").count() == 1


def test_illustrative_flags(agency, media):
    demo.seed(agency=agency)

    amendment = Procedure.objects.get(code="1.000963")  # karaoke amendment: 04 WD, verified
    assert amendment.processing_time_amount == Decimal(4)
    assert amendment.processing_time_unit == TimeUnit.WORKING_DAYS
    assert amendment.is_illustrative is False
    # New karaoke licence: 05 WD is [U] in DOMAIN.md §10; festival notice (district) is [P].
    assert Procedure.objects.get(code="1.001029").is_illustrative is True
    festival_notice = Procedure.objects.get(name="Thông báo tổ chức lễ hội cấp huyện")
    assert festival_notice.is_illustrative is True
    assert set(Procedure.objects.filter(is_illustrative=False).values_list("code", flat=True)) == {
        "1.000963",
        "2.001885",
        "2.001884",
        "2.001786",
    }


def test_festival_registration_counts_calendar_days(agency, media):
    demo.seed(agency=agency)

    festival = Procedure.objects.get(name="Đăng ký tổ chức lễ hội cấp huyện")
    assert festival.processing_time_amount == Decimal(10)
    assert festival.processing_time_unit == TimeUnit.CALENDAR_DAYS
    assert "30 ngày" in festival.processing_time_note
    assert not festival.has_fee
    library = Procedure.objects.get(field__code="thu-vien", name__startswith="Thông báo thành lập")
    assert library.processing_time_amount == Decimal(15)
    assert library.processing_time_unit == TimeUnit.CALENDAR_DAYS


def test_karaoke_fees_follow_circular_110_2025(agency, media):
    demo.seed(agency=agency)

    licence = Procedure.objects.get(code="1.001029")
    assert "1.000.000 đồng/phòng" in licence.fee_description
    assert "6.000.000 đồng" in licence.fee_description
    assert "110/2025/TT-BTC" in licence.fee_legal_basis
    amendment = Procedure.objects.get(code="1.000963")
    assert "Thay đổi chủ sở hữu: 500.000 đồng" in amendment.fee_description
    assert "Tăng thêm phòng: 1.000.000 đồng/phòng" in amendment.fee_description
    assert "110/2025/TT-BTC" in amendment.fee_legal_basis
    in_person = amendment.methods.get(channel=SubmissionChannel.IN_PERSON)
    assert in_person.processing_time.startswith("04 ngày làm việc")
    assert "500.000" in in_person.fee
    # No other procedure of the catalogue charges a fee.
    assert set(Procedure.objects.exclude(fee_description="").values_list("code", flat=True)) == {
        "1.001029",
        "1.000963",
    }
