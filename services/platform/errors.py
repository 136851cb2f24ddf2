"""Domain exceptions. Pages catch these and show `str(exc)`: every message is Indonesian and says what to do."""


class PayungError(Exception):
    """Base of every error a user may see."""


class ValidationError(PayungError):
    """Input that cannot be accepted as it is."""


class NotFound(PayungError):
    """The thing asked for does not exist (or is not visible to the caller)."""


class AccessDenied(PayungError):
    """The acting user may not do or see this. The attempt is audited."""


class ConflictError(PayungError):
    """Someone else changed the data first (double click, two users at once)."""


class DatabaseBusy(ConflictError):
    """The database stayed busy (many users writing at once) through every retry of a unit of work. Nothing of
    the unit was saved; the message asks the user to try again."""
