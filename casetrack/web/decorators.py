"""Small role gates for views."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from casetrack.models import Role


def roles_required(*roles: Role):
    """Allow the view only to logged-in users with one of these roles; others get 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role_enum not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
