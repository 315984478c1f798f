"""Exceptions raised by the pure domain rules; their str() is a Chinese message for the user."""


class DomainError(Exception):
    """A rule of the domain refused an action; str() is a Chinese message for the user."""


class InvalidTransition(DomainError):
    """The action is not allowed in the case's current state."""
