class ApplicationError(Exception):
    """A domain rule was broken. `message` is shown to the user (already translated)."""

    def __init__(self, message, *, extra=None):
        super().__init__(message)
        self.message = message
        self.extra = extra or {}
