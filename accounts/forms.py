from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class StaffLoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Wrong username or password. Note that both fields may be case-sensitive."
        ),
        "inactive": _("This account is disabled."),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("Username")
        self.fields["password"].label = _("Password")
