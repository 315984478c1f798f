"""The one role gate for views: a decorator backed by a predicate of casetrack.permissions."""

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from casetrack.models import User


def allowed_if(predicate: Callable[[User], bool]):
    """Let only signed-in users for whom `predicate(user)` holds (a `permissions.can_*`) in; others get 403.

    Like CTFd's admins_only: `@bp.route(...)` then `@allowed_if(permissions.can_import_ledger)`.
    """

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not predicate(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
