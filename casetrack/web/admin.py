"""Admin pages: townships, villages, natural villages, dispute types and accounts.

A county admin (no township) manages every township; a township admin only their own, and anything
of another township answers 404 as if it did not exist. Every lookup goes through _in_reach().
"""

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from casetrack import permissions
from casetrack.domain.errors import N_, DomainError
from casetrack.extensions import db
from casetrack.forms import admin as forms
from casetrack.i18n import domain_message
from casetrack.models import DisputeType, NaturalVillage, PetitionCategory, Role, Township, User, Village
from casetrack.services import accounts, places, time_limits
from casetrack.web.decorators import blueprint_allowed_if

bp = Blueprint("admin", __name__, url_prefix="/admin")


blueprint_allowed_if(bp, permissions.can_administer)  # every admin page: admins only


def _is_county_admin() -> bool:
    return current_user.township_id is None


def _in_reach(township_column):
    """Limit rows to the townships this admin manages."""
    return true() if _is_county_admin() else township_column == current_user.township_id


def _one_or_404(query):
    row = db.session.execute(query).scalar_one_or_none()
    if row is None:
        abort(404)
    return row


def _township(township_id: int) -> Township:
    return _one_or_404(select(Township).where(Township.id == township_id, _in_reach(Township.id)))


def _village(village_id: int) -> Village:
    return _one_or_404(select(Village).where(Village.id == village_id, _in_reach(Village.township_id)))


def _natural_village(natural_id: int) -> NaturalVillage:
    return _one_or_404(
        select(NaturalVillage).join(Village)
        .where(NaturalVillage.id == natural_id, _in_reach(Village.township_id))
    )


def _user(user_id: int) -> User:
    return _one_or_404(select(User).where(User.id == user_id, _in_reach(User.township_id)))


def _townships() -> list[Township]:
    return list(db.session.execute(
        select(Township).where(_in_reach(Township.id)).options(selectinload(Township.villages)).order_by(Township.id)
    ).scalars())


def _attempt(form, field, change: Callable[[], object]) -> bool:
    """Make the change and commit; when refused, roll everything back and say why beside the field."""
    try:
        change()
        db.session.commit()
        return True
    except DomainError as refused:
        message = domain_message(refused)
    except IntegrityError:  # a concurrent save took the same name between our check and the insert
        message = _("该名称已被使用,请换一个。")
    db.session.rollback()
    (field.errors if field is not None else form.form_errors).append(message)
    return False


def _status() -> int:
    return 400 if request.method == "POST" else 200


# --- overview -------------------------------------------------------------------------------


@bp.route("/")
def index():
    """Overview of the townships and accounts the admin manages."""
    user_count = db.session.execute(
        select(func.count()).select_from(User).where(_in_reach(User.township_id))
    ).scalar_one()
    return render_template("admin/index.html", townships=_townships(), user_count=user_count)


# --- townships ------------------------------------------------------------------------------


@bp.route("/townships", methods=["GET", "POST"])
def townships():
    """List townships; a county admin also creates them here, with their villages."""
    form = forms.TownshipForm()
    if request.method == "POST" and not _is_county_admin():
        abort(403)
    if form.validate_on_submit() and _attempt(
        form, form.name, lambda: places.add_township(form.name.data, forms.split_names(form.villages.data))
    ):
        flash(_("已创建乡镇“%(name)s”。", name=form.name.data.strip()), "success")
        return redirect(url_for("admin.townships"))
    return render_template(
        "admin/townships.html", townships=_townships(), form=form, can_create=_is_county_admin()
    ), _status()


@bp.route("/townships/<int:township_id>", methods=["GET", "POST"])
def township(township_id: int):
    """Rename a township and edit its settings: case-number prefix, committee, time limits."""
    township = _township(township_id)
    form = forms.TownshipSettingsForm(data=forms.TownshipSettingsForm.initial(township)) \
        if request.method == "GET" else forms.TownshipSettingsForm()

    def save():
        strict_before = bool(township.setting("strict_period_end"))
        places.rename_township(township, form.name.data)
        places.update_township_settings(township, form.settings())
        if bool(township.setting("strict_period_end")) != strict_before:
            time_limits.recompute_due_dates(time_limits.REASON_RULE, township.id, current_user)

    if form.validate_on_submit() and _attempt(form, form.name, save):
        flash(_("已保存“%(name)s”的设置。", name=township.name), "success")
        return redirect(url_for("admin.township", township_id=township.id))
    return render_template("admin/township.html", township=township, form=form), _status()


# --- villages and natural villages ----------------------------------------------------------


@bp.route("/townships/<int:township_id>/villages", methods=["GET", "POST"])
def villages(township_id: int):
    """List a township's administrative villages and add one."""
    township = _township(township_id)
    form = forms.NameForm()
    if form.validate_on_submit() and _attempt(form, form.name, lambda: places.add_village(township, form.name.data)):
        flash(_("已添加行政村“%(name)s”。", name=form.name.data.strip()), "success")
        return redirect(url_for("admin.villages", township_id=township.id))
    return render_template("admin/villages.html", township=township, form=form), _status()


def _village_page(village: Village, rename_form=None, natural_form=None):
    rename_form = rename_form or forms.NameForm(formdata=None, prefix="rename", data={"name": village.name})
    natural_form = natural_form or forms.NameForm(formdata=None, prefix="natural")
    return render_template(
        "admin/village.html", village=village, rename_form=rename_form, natural_form=natural_form
    ), _status()


@bp.route("/villages/<int:village_id>", methods=["GET", "POST"])
def village(village_id: int):
    """Show a village with its natural villages; rename it."""
    village = _village(village_id)
    form = forms.NameForm(prefix="rename")
    if form.validate_on_submit() and _attempt(
        form, form.name, lambda: places.rename_village(village, form.name.data)
    ):
        flash(_("已改名为“%(name)s”。", name=village.name), "success")
        return redirect(url_for("admin.village", village_id=village.id))
    return _village_page(village, rename_form=form if request.method == "POST" else None)


@bp.route("/villages/<int:village_id>/natural-villages", methods=["POST"])
def add_natural_village(village_id: int):
    """Add a natural village under an administrative village."""
    village = _village(village_id)
    form = forms.NameForm(prefix="natural")
    if form.validate_on_submit() and _attempt(
        form, form.name, lambda: places.add_natural_village(village, form.name.data)
    ):
        flash(_("已添加自然村“%(name)s”。", name=form.name.data.strip()), "success")
        return redirect(url_for("admin.village", village_id=village.id))
    return _village_page(village, natural_form=form)


@bp.route("/natural-villages/<int:natural_id>", methods=["GET", "POST"])
def natural_village(natural_id: int):
    """Rename a natural village."""
    natural = _natural_village(natural_id)
    form = forms.NameForm(data={"name": natural.name}) if request.method == "GET" else forms.NameForm()
    if form.validate_on_submit() and _attempt(
        form, form.name, lambda: places.rename_natural_village(natural, form.name.data)
    ):
        flash(_("已改名为“%(name)s”。", name=natural.name), "success")
        return redirect(url_for("admin.village", village_id=natural.village_id))
    return render_template("admin/natural_village.html", natural=natural, form=form), _status()


# --- dispute types --------------------------------------------------------------------------


LISTS = {
    "dispute-types": (DisputeType, N_("纠纷类别"), places.add_dispute_type, places.dispute_types),
    "petition-categories": (PetitionCategory, N_("信访事项类别"), places.add_petition_category,
                            places.petition_categories),
}
"""The township's editable lists: URL slug -> (model, Chinese name, add, list)."""


def _list_page(township_id: int, slug: str):
    model, what, add, listing = LISTS[slug]
    township = _township(township_id)
    form = forms.DisputeTypeForm()
    if form.validate_on_submit() and _attempt(form, form.name, lambda: add(township, form.name.data)):
        flash(_("已添加%(what)s“%(name)s”。", what=what, name=form.name.data.strip()), "success")
        return redirect(url_for(f"admin.{slug.replace('-', '_')}", township_id=township.id))
    return render_template(
        "admin/dispute_types.html", township=township, form=form, button=forms.ConfirmForm(formdata=None),
        types=listing(township.id, active_only=False), what=what,
        change_url=lambda item, change: url_for(f"admin.{slug.replace('-', '_')}_change", item_id=item.id,
                                                change=change),
    ), _status()


def _change_list_item(slug: str, item_id: int, change: str):
    model, what, _add, _listing = LISTS[slug]
    item = _one_or_404(select(model).where(model.id == item_id, _in_reach(model.township_id)))
    if not forms.ConfirmForm().validate_on_submit():
        abort(400)
    places.set_dispute_type_active(item, change == "activate")
    db.session.commit()
    if item.active:
        flash(_("已启用“%(name)s”。", name=item.name), "success")
    else:
        flash(_("已停用“%(name)s”,登记时不再出现,已登记的案件不受影响。", name=item.name), "success")
    return redirect(url_for(f"admin.{slug.replace('-', '_')}", township_id=item.township_id))


@bp.route("/townships/<int:township_id>/dispute-types", methods=["GET", "POST"])
def dispute_types(township_id: int):
    """List a township's dispute types (纠纷类别) in order and add a local one."""
    return _list_page(township_id, "dispute-types")


@bp.route("/dispute-types/<int:item_id>/<any(activate, deactivate):change>", methods=["POST"])
def dispute_types_change(item_id: int, change: str):
    """Stop offering a dispute type at intake, or offer it again; filed cases keep their type."""
    return _change_list_item("dispute-types", item_id, change)


@bp.route("/townships/<int:township_id>/petition-categories", methods=["GET", "POST"])
def petition_categories(township_id: int):
    """List a township's petition matter categories (事项类别) and add a local one."""
    return _list_page(township_id, "petition-categories")


@bp.route("/petition-categories/<int:item_id>/<any(activate, deactivate):change>", methods=["POST"])
def petition_categories_change(item_id: int, change: str):
    """Stop offering a petition category at intake, or offer it again."""
    return _change_list_item("petition-categories", item_id, change)


# --- accounts -------------------------------------------------------------------------------


@bp.route("/users")
def users():
    """List the accounts the admin manages."""
    rows = db.session.execute(
        select(User).where(_in_reach(User.township_id))
        .options(selectinload(User.township), selectinload(User.village))
        .order_by(User.township_id.is_not(None), User.township_id, User.role, User.username)
    ).scalars().all()
    return render_template("admin/users.html", users=rows)


def _place_choices(form: forms.UserForm) -> None:
    """Offer only the townships and villages within the admin's reach."""
    townships = _townships()
    form.township_id.choices = [(t.id, t.name) for t in townships]
    if _is_county_admin():
        form.township_id.choices.insert(0, (None, _("—(全县)")))
    form.village_id.choices = [(None, "—")] + [
        (v.id, f"{t.name} · {v.name}" if len(townships) > 1 else v.name) for t in townships for v in t.villages
    ]


def _account_fields(form: forms.UserForm) -> dict:
    return {
        "role": Role(form.role.data),
        "township": db.session.get(Township, form.township_id.data) if form.township_id.data else None,
        "village": db.session.get(Village, form.village_id.data) if form.village_id.data else None,
        "full_name": form.full_name.data or "",
    }


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    """Create an account with an initial password that passes the policy."""
    form = forms.NewUserForm()
    _place_choices(form)
    if form.validate_on_submit():
        if accounts.username_taken(form.username.data):
            form.username.errors.append(_("用户名“%(name)s”已被使用", name=form.username.data.strip()))
        elif _attempt(
            form, None, lambda: accounts.add_user(form.username.data, form.password.data, **_account_fields(form))
        ):
            flash(_("已创建用户“%(name)s”。", name=form.username.data.strip()), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None), _status()


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int):
    """Change an account's name, role, township or village."""
    user = _user(user_id)
    form = forms.UserForm(obj=user) if request.method == "GET" else forms.UserForm()
    _place_choices(form)
    if form.validate_on_submit() and _attempt(
        form, None, lambda: accounts.update_user(user, current_user, **_account_fields(form))
    ):
        flash(_("已保存用户“%(name)s”。", name=user.username), "success")
        return redirect(url_for("admin.users"))
    return render_template(
        "admin/user_form.html", form=form, user=user, button=forms.ConfirmForm(formdata=None)
    ), _status()


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
def reset_password(user_id: int):
    """Set a new password for an account and lift its login lock."""
    user = _user(user_id)
    form = forms.PasswordForm()
    if form.validate_on_submit() and _attempt(
        form, form.password, lambda: accounts.reset_password(user, form.password.data)
    ):
        flash(_("已重设“%(name)s”的密码。", name=user.username), "success")
        return redirect(url_for("admin.users"))
    return render_template("admin/password.html", form=form, user=user), _status()


@bp.route("/users/<int:user_id>/<any(enable, disable, 'sign-out'):change>", methods=["POST"])
def change_user(user_id: int, change: str):
    """Disable an account, which is logged out at its next request, enable it again, or sign it out everywhere."""
    user = _user(user_id)
    if not forms.ConfirmForm().validate_on_submit():
        abort(400)
    if change == "sign-out":
        accounts.end_sessions(user)
        db.session.commit()
        flash(_("已让用户“%(name)s”在所有设备上退出登录。", name=user.username), "success")
        return redirect(url_for("admin.edit_user", user_id=user.id))
    try:
        accounts.set_active(user, current_user, change == "enable")
    except DomainError as refused:
        db.session.rollback()
        flash(domain_message(refused), "error")
        return redirect(url_for("admin.edit_user", user_id=user.id))
    db.session.commit()
    if user.active:
        flash(_("已启用用户“%(name)s”。", name=user.username), "success")
    else:
        flash(_("已停用用户“%(name)s”,该账号已被登出且不能再登录。", name=user.username), "success")
    return redirect(url_for("admin.users"))
