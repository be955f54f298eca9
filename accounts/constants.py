from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Staff roles. Each is a Group (created by a data migration) holding permissions.

    Code checks permissions, never these names.
    """

    DESK_OFFICER = "desk_officer", _("Desk officer")
    SPECIALIST = "specialist", _("Specialist")
    LEADER = "leader", _("Leader")
    ADMINISTRATOR = "administrator", _("Administrator")
