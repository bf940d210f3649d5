"""One error tree: every error nurture raises on purpose derives from NurtureError."""

from typing import Any


class NurtureError(Exception):
    """Base class of nurture's own errors."""


class ConfigError(NurtureError):
    """A NURTURE_* setting has a bad value."""


class DefinitionError(NurtureError):
    """A workspace file (journey, scoring model, template) is invalid."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class InputError(NurtureError):
    """A contact or event given to nurture does not follow the documented format."""


class TemplateError(NurtureError):
    """A template failed to render for a contact."""


class ProviderError(NurtureError):
    """The email provider refused or failed a send."""


class ProviderRejected(ProviderError):
    """The provider refused this email for good (a 4xx): retrying it would not help."""


class DeliveryError(NurtureError):
    """A notification (CRM webhook) could not be delivered; it stays queued and is retried."""


class DeliveryRejected(DeliveryError):
    """The receiver refused the notification for good (a 4xx): retrying it would not help."""


class FeedbackError(NurtureError):
    """Sales feedback that does not fit the contact's stage or handoff (accept, reject, ...)."""


class NotFound(NurtureError):
    """A contact, journey or enrollment named by the user does not exist."""


def plain_message(error: Any) -> str:
    """A pydantic error's message without its "Value error, " prefix: our own words stand."""
    if error.get("type") == "value_error" and "error" in error.get("ctx", {}):
        return str(error["ctx"]["error"])
    return str(error["msg"])
