"""Writes to the procedure catalogue: revise a version into a draft, publish, retire.

A published or retired version is frozen: dossiers point at it and must keep the rules they
were received under (DOMAIN.md §0.3). Changes go through a new draft version.
"""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError

from .constants import ProcedureStatus
from .models import Procedure

CHILD_RELATIONS = ["steps", "methods", "components", "workflow_steps"]


@transaction.atomic
def procedure_revise(*, procedure: Procedure, user) -> Procedure:
    """Copy `procedure` (with its steps, methods, components and workflow) into a new draft.

    Called by staff from the admin; needs `procedures.add_procedure`. Returns the existing draft
    if one is already open for the code, so two clicks never make two drafts. Form files are
    shared, not copied.
    """
    if not user.has_perm("procedures.add_procedure"):
        raise ApplicationError(_("You are not allowed to revise procedures."))
    existing = Procedure.objects.filter(code=procedure.code, status=ProcedureStatus.DRAFT).first()
    if existing is not None:
        return existing
    latest = (
        Procedure.objects.select_for_update()
        .filter(code=procedure.code)
        .aggregate(v=Max("version"))["v"]
    )
    children = {rel: list(getattr(procedure, rel).all()) for rel in CHILD_RELATIONS}
    draft = Procedure.objects.get(pk=procedure.pk)
    draft.pk = None
    draft.id = None
    draft._state.adding = True
    draft.version = latest + 1
    draft.status = ProcedureStatus.DRAFT
    draft.published_at = None
    draft.published_by = None
    draft.save()
    for rows in children.values():
        for row in rows:
            row.pk = None
            row.id = None
            row._state.adding = True
            row.procedure = draft
            row.save()
    return draft


@transaction.atomic
def procedure_publish(*, procedure: Procedure, user) -> Procedure:
    """Publish a draft version; the version published before it is retired.

    Called from the admin by users with `procedures.publish_procedure`.
    """
    if not user.has_perm("procedures.publish_procedure"):
        raise ApplicationError(_("You are not allowed to publish procedures."))
    procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
    if procedure.status == ProcedureStatus.PUBLISHED:
        return procedure
    if procedure.status != ProcedureStatus.DRAFT:
        raise ApplicationError(_("Only a draft can be published."))
    if not procedure.steps.exists() or not procedure.components.exists():
        raise ApplicationError(
            _("A procedure needs its steps and dossier components before it is published.")
        )
    Procedure.objects.filter(code=procedure.code, status=ProcedureStatus.PUBLISHED).update(
        status=ProcedureStatus.RETIRED, updated_at=timezone.now()
    )
    procedure.status = ProcedureStatus.PUBLISHED
    procedure.published_at = timezone.now()
    procedure.published_by = user
    procedure.save(update_fields=["status", "published_at", "published_by", "updated_at"])
    return procedure


@transaction.atomic
def procedure_retire(*, procedure: Procedure, user) -> Procedure:
    """Withdraw a published version from the public catalogue."""
    if not user.has_perm("procedures.publish_procedure"):
        raise ApplicationError(_("You are not allowed to retire procedures."))
    procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
    if procedure.status == ProcedureStatus.RETIRED:
        return procedure
    if procedure.status != ProcedureStatus.PUBLISHED:
        raise ApplicationError(_("Only a published version can be retired."))
    procedure.status = ProcedureStatus.RETIRED
    procedure.save(update_fields=["status", "updated_at"])
    return procedure
