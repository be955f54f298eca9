"""Dossier factories built through the same services the desk uses.

`register_dossier(...)` accepts a dossier exactly as the intake form does; the lifecycle helpers
move it on with the real transition services, so a "returned" dossier has the history, pauses
and hand-overs a real one would have.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import Group

from accounts.tests.factories import UserFactory
from dossiers import services
from dossiers.constants import DocumentKind
from procedures.tests.factories import ProcedureFactory, WorkflowStepFactory


def staff(agency, role: str, **kwargs):
    user = UserFactory(department__agency=agency, **kwargs)
    user.groups.add(Group.objects.get(name=role))
    return user


def published_procedure(agency, **kwargs):
    procedure = ProcedureFactory(published=True, agency=agency, workflow=None, **kwargs)
    WorkflowStepFactory(
        procedure=procedure, position=1, unit="Bộ phận Một cửa", time_budget=Decimal("0.5")
    )
    WorkflowStepFactory(
        procedure=procedure,
        position=2,
        unit="Phòng Văn hóa và Thông tin",
        task="Thẩm định hồ sơ",
        time_budget=Decimal("4"),
    )
    WorkflowStepFactory(
        procedure=procedure,
        position=3,
        unit="Bộ phận Một cửa",
        task="Trả kết quả",
        time_budget=Decimal("0.5"),
    )
    return procedure


def applicant(**overrides) -> services.ApplicantData:
    data = {
        "name": "Nguyễn Văn An",
        "phone": "0905 123 456",
        "address": "12 Lê Thánh Tôn, phường Nha Trang, Khánh Hòa",
        "id_number": "056090001234",
        "email": "an@example.com",
        "consent_sms": True,
        "consent_email": False,
    }
    data.update(overrides)
    return services.ApplicantData(**data)


def register_dossier(*, procedure, user, received_at=None, **applicant_overrides):
    components = list(procedure.components.all())
    documents = [
        services.DocumentData(
            name=c.name, kind=DocumentKind.ORIGINAL, quantity=1, component_id=c.pk
        )
        for c in components
    ] or [services.DocumentData(name="Đơn đề nghị")]
    return services.dossier_register(
        procedure=procedure,
        applicant=applicant(**applicant_overrides),
        documents=documents,
        user=user,
        received_at=received_at,
    )
