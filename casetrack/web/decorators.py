"""The one role gate for views: a predicate of casetrack.permissions, on a view (`allowed_if`) or on every view of a
blueprint (`blueprint_allowed_if`). Checks on one case (may this user act on it?) stay in the view, after loading it."""

from collections.abc import Callable
from functools import wraps

from flask import Blueprint, abort
from flask_login import current_user, login_required

from casetrack.extensions import login_manager
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


def blueprint_allowed_if(bp: Blueprint, predicate: Callable[[User], bool]) -> None:
    """Gate every view of a blueprint as `allowed_if` gates one: sign in first, then 403 unless the predicate holds."""

    @bp.before_request
    def _gate():
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not predicate(current_user):
            abort(403)
        return None
