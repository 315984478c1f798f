"""Ledger (台账) pages for township staff: download the template, upload, preview, confirm; export a year.

The uploaded file waits for confirmation in the instance folder under a random token (with who uploaded
it), not in the session; confirming checks the file again against the database as it is then.
"""

import io
import json
import secrets
import time
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from casetrack import clock, permissions
from casetrack.extensions import db
from casetrack.forms.ledger import ConfirmForm, ExportForm, MappingForm, SeenForm, UploadForm
from casetrack.i18n import ledger_message, notice_message
from casetrack.ledger import exporting, history
from casetrack.ledger.format import BY_HEADER, COLUMNS, SHEET_NAMES
from casetrack.ledger.importing import CREATE, UPDATE, apply_plan, plan_import, preview_line
from casetrack.ledger.lookups import TownshipBook
from casetrack.ledger.mapping import IGNORE, LedgerMap, normalise_value
from casetrack.ledger.saved_maps import save_map
from casetrack.ledger.template import build_template
from casetrack.models import Township
from casetrack.private_files import private_open
from casetrack.web.decorators import allowed_if

bp = Blueprint("ledger", __name__, url_prefix="/ledger")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KEEP_SECONDS = 24 * 3600  # an upload nobody confirmed is removed after a day
SHOWN = 200  # rows of each list shown in the preview


def _township() -> Township:
    township = db.session.get(Township, current_user.township_id) if current_user.township_id else None
    if township is None:
        abort(403)
    return township


def _uploads() -> Path:
    folder = Path(current_app.instance_path) / "ledger-uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _forget_old_uploads(folder: Path) -> None:
    cutoff = time.time() - KEEP_SECONDS
    for path in folder.iterdir():
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def _stored(token: str) -> tuple[Path, dict]:
    """Return the upload behind a token and what was recorded with it; 404 unless it is the current user's."""
    folder = _uploads()
    meta_path = folder / f"{token}.json"
    if not meta_path.exists():
        abort(404)
    meta = json.loads(meta_path.read_text("utf-8"))
    if meta["user_id"] != current_user.id or meta["township_id"] != current_user.township_id:
        abort(404)
    return folder / f"{token}{meta['suffix']}", meta


def _discard(token: str) -> None:
    for path in _uploads().glob(f"{token}.*"):
        path.unlink(missing_ok=True)


@bp.route("/")
@allowed_if(permissions.can_import_ledger)
def index():
    """Offer the template, the upload and the export."""
    _township()
    return render_template("ledger/index.html", form=UploadForm(), export_form=ExportForm(formdata=None))


@bp.route("/template")
@allowed_if(permissions.can_import_ledger)
def template():
    """Send the township's ledger template."""
    township = _township()
    buffer = io.BytesIO()
    build_template(TownshipBook(township), buffer)
    buffer.seek(0)
    return _private(send_file(buffer, mimetype=XLSX, as_attachment=True, download_name=f"{township.name}台账模板.xlsx"))


IGNORED = "__ignore__"  # the select's value for "ignore this column"


def _mapping_entries(plan) -> tuple[list[dict], list[dict]]:
    """Return the preview's mapping selects: one per unknown header, one per value no label fits.

    Numbered in the plan's order, so the posted form is read against the same file planned again, never
    against names or values the browser sends back.
    """
    headers = []
    for sheet in plan.headers_to_map:
        options = [c.header for c in COLUMNS[sheet.kind]]
        for header, samples in sheet.unknown:
            headers.append({"name": f"h{len(headers)}", "kind": sheet.kind, "sheet": sheet.sheet, "header": header,
                            "samples": samples, "options": options})
    values = []
    for column in plan.values_to_map:
        labels = BY_HEADER[column.kind][column.header].labels
        for value in column.values:
            values.append({"name": f"v{len(values)}", "kind": column.kind, "header": column.header, "value": value,
                           "options": labels})
    return headers, values


def _preview(plan, token: str, form: ConfirmForm, status: int = 200, mapping_form=None, chosen=None,
             mapping_errors=None):
    creates = [preview_line(r, plan.books.by_id(r.township_id)) for r in plan.of(CREATE)[:SHOWN]]
    updates = plan.of(UPDATE)
    header_entries, value_entries = _mapping_entries(plan)
    return render_template(
        "ledger/preview.html", plan=plan, counts=plan.counts(), sheet_names=SHEET_NAMES, creates=creates,
        created=len(plan.of(CREATE)), updates=updates[:SHOWN], updated=len(updates), errors=plan.errors[:SHOWN * 5],
        form=form, token=token, shown=SHOWN, reason=ledger_message, note=notice_message,
        header_entries=header_entries, value_entries=value_entries, ignored=IGNORED,
        mapping_form=mapping_form or MappingForm(formdata=None, token=token), chosen=chosen or {},
        mapping_errors=mapping_errors or {},
    ), status


@bp.route("/upload", methods=["POST"])
@allowed_if(permissions.can_import_ledger)
def upload():
    """Keep the uploaded file under a random token, check it, and show what importing it would do."""
    township = _township()
    form = UploadForm()
    if not form.validate_on_submit():
        return render_template("ledger/index.html", form=form, export_form=ExportForm(formdata=None)), 400
    folder = _uploads()
    _forget_old_uploads(folder)
    token = secrets.token_urlsafe(24)
    filename = Path(form.upload.data.filename or "台账").name
    suffix = ".csv" if filename.lower().endswith(".csv") else ".xlsx"
    path = folder / f"{token}{suffix}"
    try:
        with private_open(path) as kept:
            form.upload.data.save(kept)
        with private_open(folder / f"{token}.json") as meta:
            meta.write(json.dumps({
                "user_id": current_user.id, "township_id": township.id, "filename": filename, "suffix": suffix,
            }, ensure_ascii=False).encode("utf-8"))
        plan = plan_import(path, filename, township=township)
    except BaseException:  # whatever goes wrong, no upload is left behind without a preview to confirm it
        _discard(token)
        raise
    finally:
        db.session.rollback()  # planning writes nothing; end its read transaction
    if plan.unreadable:  # nothing to preview or confirm: say why beside the field, and keep nothing
        _discard(token)
        form.upload.errors.append(_(plan.unreadable))  # one of reading.py's and xlsx.py's N_() texts
        return render_template("ledger/index.html", form=form, export_form=ExportForm(formdata=None)), 400
    confirm = ConfirmForm(formdata=None, token=token)
    return _preview(plan, token, confirm)


@bp.route("/apply", methods=["POST"])
@allowed_if(permissions.can_import_ledger)
def apply():
    """Check the kept file again and import it: everything, or with valid_only the rows without errors."""
    township = _township()
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    token = form.token.data
    path, meta = _stored(token)
    plan = plan_import(path, meta["filename"], township=township)
    if plan.errors and not form.valid_only.data:
        db.session.rollback()
        form.form_errors.append(_("台账中有错误,未导入任何内容。请改正后重新上传,或勾选“只导入无错误的行”。"))
        return _preview(plan, token, form, 400)
    apply_plan(plan, current_user, valid_only=form.valid_only.data)
    history.record_import(plan, current_user, "web", clock.now_utc())
    db.session.commit()
    _discard(token)
    for line in plan.summary():
        flash(_("已导入 %(file)s:%(line)s", file=meta["filename"], line=notice_message(line)), "success")
    return redirect(url_for("ledger.index"))


@bp.route("/mapping", methods=["POST"])
@allowed_if(permissions.can_import_ledger)
def mapping():
    """Save the township's mapping of the kept file's unknown headers and values, then preview the file again."""
    township = _township()
    form = MappingForm()
    if not form.validate_on_submit():
        abort(400)
    token = form.token.data
    path, meta = _stored(token)
    plan = plan_import(path, meta["filename"], township=township)
    db.session.rollback()
    header_entries, value_entries = _mapping_entries(plan)
    chosen, errors, given = {}, {}, LedgerMap()
    claimed: dict[tuple[str, str, str], str] = {}
    for entry in header_entries:
        choice = request.form.get(entry["name"], IGNORED)
        if choice != IGNORED and choice not in entry["options"]:
            abort(400)
        chosen[entry["name"]] = choice
        if choice != IGNORED:
            other = claimed.setdefault((entry["kind"], entry["sheet"], choice), entry["header"])
            if other != entry["header"]:
                errors[entry["name"]] = _("“%(one)s”和“%(other)s”不能对应同一列“%(column)s”。", one=other,
                                          other=entry["header"], column=choice)
        given.headers[(entry["kind"], entry["header"])] = IGNORE if choice == IGNORED else choice
    for entry in value_entries:
        choice = request.form.get(entry["name"], "")
        if choice and choice not in entry["options"]:
            abort(400)
        chosen[entry["name"]] = choice
        if choice:
            given.values[(entry["kind"], entry["header"], normalise_value(entry["value"]))] = choice
    if errors:  # nothing saved: the page shows the choices as made, with the conflict beside its field
        return _preview(plan, token, ConfirmForm(formdata=None, token=token), 400, form, chosen, errors)
    save_map(township.id, given)
    db.session.commit()
    flash(_("已保存列对应。本乡镇以后导入的台账按此读取,不必再选。"), "success")
    plan = plan_import(path, meta["filename"], township=township)
    db.session.rollback()
    return _preview(plan, token, ConfirmForm(formdata=None, token=token))


@bp.route("/export")
@allowed_if(permissions.can_import_ledger)
def export():
    """Send a year's ledger as .xlsx, or one kind as a UTF-8 CSV that Excel opens."""
    township = _township()
    form = ExportForm(request.args)
    if not form.validate():
        return render_template("ledger/index.html", form=UploadForm(), export_form=form), 400
    year, kind = form.year.data, form.format.data
    today = clock.today()
    if kind == "xlsx":
        buffer = io.BytesIO()
        exporting.write_xlsx(buffer, township, year, today)
        buffer.seek(0)
        return _private(send_file(buffer, mimetype=XLSX, as_attachment=True,
                                  download_name=f"{township.name}{year}年台账.xlsx"))
    text = io.StringIO()
    exporting.write_csv(text, kind, township, year, today)
    data = io.BytesIO(text.getvalue().encode("utf-8-sig"))
    return _private(send_file(data, mimetype="text/csv", as_attachment=True,
                              download_name=f"{township.name}{year}年台账-{SHEET_NAMES[kind]}.csv"))


def _private(response):
    """Keep an export out of every cache (a proxy, the browser's): it holds names and cases."""
    response.headers["Cache-Control"] = "no-store"
    return response


# --- the record of imports (台账导入记录) -------------------------------------------------------------------------

@bp.route("/imports")
@allowed_if(permissions.can_import_ledger)
def imports():
    """List the township's imports, newest first, each with what it did and whether it has notices."""
    township = _township()
    return render_template("ledger/imports.html", records=history.of_township(township.id), form=SeenForm())


def _import_of_township(import_id: int):
    """One import of the signed-in staff member's township; 404 for any other, so its existence is not told."""
    record = history.find(_township().id, import_id)
    if record is None:
        abort(404)
    return record


@bp.route("/imports/<int:import_id>")
@allowed_if(permissions.can_import_ledger)
def import_notices(import_id: int):
    """Show one import of the township: who, when, the counts, and every notice and skipped row."""
    record = _import_of_township(import_id)
    notices, errors = history.notices_of(record)
    return render_template("ledger/import.html", record=record, notices=notices, errors=errors,
                           attention={n.template for n in notices} - history.INFORMATION,
                           note=notice_message, reason=ledger_message, form=SeenForm())


@bp.route("/imports/<int:import_id>/seen", methods=["POST"])
@allowed_if(permissions.can_import_ledger)
def import_seen(import_id: int):
    """Mark an import's notices seen: its line leaves the township staff's inbox."""
    record = _import_of_township(import_id)
    if not SeenForm().validate_on_submit():
        abort(400)
    history.mark_seen(record, current_user, clock.now_utc())
    db.session.commit()
    session.pop("inbox_count", None)
    flash(_("已阅 %(file)s 的导入提示。", file=record.filename), "success")
    return redirect(url_for("inbox.index"))
