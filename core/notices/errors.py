"""How a delivery attempt can fail. The reason is a readable sentence shown to staff."""


class DeliveryError(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class TransientError(DeliveryError):
    """Not delivered, certainly: trying again later may work (gateway down, HTTP 5xx, 429)."""


class UncertainError(DeliveryError):
    """The request may have reached the provider (timeout or lost connection after sending).

    Resending is safe only when the provider honours the idempotency reference; otherwise the
    notice fails and staff decide, so a citizen never gets the same message twice.
    """


class PermanentError(DeliveryError):
    """Will never be delivered as it is (landline, bad address, refused, unreadable answer)."""


class NoticeTemplateError(Exception):
    """A notice template is missing, broken or renders a text that cannot be sent."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason
