"""One error tree: every error nurture raises on purpose derives from NurtureError."""


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


class NotFound(NurtureError):
    """A contact, journey or enrollment named by the user does not exist."""
