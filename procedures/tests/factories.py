"""Factories of the procedure catalogue.

`ProcedureFactory()` builds a draft version with two steps, the three submission methods and two
dossier components, the first with a small DOCX form; `ProcedureFactory(published=True)` builds
the published version citizens see. Codes are unique per factory call (9.xxxxxx, a prefix no real
national code uses).
"""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.tests.factories import AgencyFactory
from core.calendar import TimeUnit
from procedures.constants import OnlineLevel, ProcedureStatus, SubmissionChannel
from procedures.models import (
    DossierComponent,
    Field,
    Procedure,
    ProcedureStep,
    SubmissionMethod,
    WorkflowStep,
)

FORM_BYTES = b"PK\x03\x04 mau don (test form)"


class FieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Field
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"linh-vuc-{n}")
    name = factory.Sequence(lambda n: f"Lĩnh vực {n}")


class ProcedureStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProcedureStep

    procedure = None
    position = 1
    title = factory.Sequence(lambda n: f"Bước {n}: nộp hồ sơ tại Bộ phận Một cửa")
    description = "Tổ chức, cá nhân nộp hồ sơ trực tiếp, qua dịch vụ bưu chính hoặc trực tuyến."


class SubmissionMethodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SubmissionMethod

    procedure = None
    channel = SubmissionChannel.IN_PERSON
    processing_time = "05 ngày làm việc"
    fee = ""
    note = "Nộp tại Bộ phận Một cửa, giờ hành chính."


class DossierComponentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DossierComponent

    procedure = None
    position = 1
    name = factory.Sequence(lambda n: f"Đơn đề nghị (thành phần {n})")
    original_count = 1
    copy_count = 0
    form_name = ""
    form_file = ""

    class Params:
        with_form = factory.Trait(
            form_name="Mẫu số 01",
            form_file=factory.django.FileField(filename="mau-so-01.docx", data=FORM_BYTES),
        )


class WorkflowStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkflowStep

    procedure = None
    position = 1
    unit = "Bộ phận Một cửa"
    task = "Tiếp nhận, kiểm tra hồ sơ"
    time_budget = Decimal("0.5")


class ProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Procedure
        skip_postgeneration_save = True

    agency = factory.SubFactory(AgencyFactory)
    code = factory.Sequence(lambda n: f"9.{n:06d}")
    local_code = factory.LazyAttribute(lambda o: f"{o.code}.000.00.20.H32")
    version = 1
    status = ProcedureStatus.DRAFT
    name = factory.Sequence(lambda n: f"Thủ tục thử nghiệm số {n}")
    field = factory.SubFactory(FieldFactory)
    processing_time_amount = Decimal("5")
    processing_time_unit = TimeUnit.WORKING_DAYS
    processing_time_note = "kể từ ngày nhận đủ hồ sơ hợp lệ"
    subjects = "Tổ chức, cá nhân"
    implementing_agency = "Phòng Văn hóa và Thông tin"
    receiving_address = "Bộ phận Một cửa, 01 Trần Phú, Nha Trang"
    result = "Giấy chứng nhận"
    requirements = ""
    fee_description = ""
    legal_basis = "Nghị định số 54/2019/NĐ-CP ngày 19/6/2019 của Chính phủ"
    publication_decision = "1789/QĐ-UBND"
    online_level = OnlineLevel.PARTIAL
    effective_from = datetime.date(2024, 1, 1)

    steps = factory.RelatedFactoryList(ProcedureStepFactory, "procedure", size=2)
    in_person = factory.RelatedFactory(
        SubmissionMethodFactory, "procedure", channel=SubmissionChannel.IN_PERSON
    )
    online = factory.RelatedFactory(
        SubmissionMethodFactory,
        "procedure",
        channel=SubmissionChannel.ONLINE,
        note="Nộp trên Cổng Dịch vụ công quốc gia.",
    )
    postal = factory.RelatedFactory(
        SubmissionMethodFactory,
        "procedure",
        channel=SubmissionChannel.POSTAL,
        note="Gửi qua dịch vụ bưu chính công ích.",
    )
    form_component = factory.RelatedFactory(
        DossierComponentFactory, "procedure", position=1, with_form=True
    )
    other_component = factory.RelatedFactory(
        DossierComponentFactory,
        "procedure",
        position=2,
        name="Bản sao Giấy chứng nhận đăng ký kinh doanh",
        original_count=0,
        copy_count=1,
    )
    workflow = factory.RelatedFactory(WorkflowStepFactory, "procedure")

    class Params:
        published = factory.Trait(
            status=ProcedureStatus.PUBLISHED,
            published_at=factory.LazyFunction(timezone.now),
        )
        retired = factory.Trait(status=ProcedureStatus.RETIRED)
        bare = factory.Trait(
            steps=None,
            in_person=None,
            online=None,
            postal=None,
            form_component=None,
            other_component=None,
            workflow=None,
        )
