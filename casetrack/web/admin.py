"""Admin pages: townships, villages, natural villages, dispute types and accounts."""

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import select

from casetrack.extensions import db
from casetrack.models import Role, Township, User
from casetrack.web.decorators import roles_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _townships_in_reach() -> list[Township]:
    query = select(Township).order_by(Township.id)
    if current_user.township_id is not None:
        query = query.where(Township.id == current_user.township_id)
    return list(db.session.execute(query).scalars())


@bp.route("/")
@roles_required(Role.ADMIN)
def index():
    """Overview of places and accounts the admin manages."""
    townships = _townships_in_reach()
    users = db.session.execute(
        select(User).where(
            User.township_id.in_([t.id for t in townships]) | User.township_id.is_(None)
        ).order_by(User.township_id, User.role, User.username)
    ).scalars().all()
    return render_template("admin/index.html", townships=townships, users=users)
