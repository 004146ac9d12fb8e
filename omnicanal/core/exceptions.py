"""Expected failures, each with a message and the HTTP status the edges map it to.

Messages are translated where they are raised, lazily (`gettext_lazy`), with the values of
a formatted message as keyword arguments (`NotFound(_("No team %(id)s."), id=team_id)`):
`message` renders in the language active where it is read, the agent's page or the API
request's, so no edge keeps a list of the actions' wordings.
"""

from typing import Any

from django.utils.functional import Promise


class DomainError(Exception):
    status = 400

    def __init__(self, message: str | Promise, **values: Any) -> None:
        super().__init__(message)
        self._message = message
        self._values = values

    @property
    def message(self) -> str:
        text = str(self._message)
        return text % self._values if self._values else text

    def __str__(self) -> str:
        return self.message


class InvalidInput(DomainError):
    status = 422


class InvalidField(InvalidInput):
    """Bad input in one field of a form (`field`, the form's field name), so that a settings
    page shows the message beside that field; other edges show it as any InvalidInput."""

    def __init__(self, field: str, message: str | Promise, **values: Any) -> None:
        super().__init__(message, **values)
        self.field = field


class NotFound(DomainError):
    status = 404


class PermissionDenied(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409
