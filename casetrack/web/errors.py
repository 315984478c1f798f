"""Error pages, and the 409 answer when the domain refuses an action."""

from flask import Flask, current_app, render_template
from flask_babel import gettext as _
from sqlalchemy.exc import DataError

from casetrack.domain.errors import N_, DomainError
from casetrack.extensions import db
from casetrack.i18n import domain_message


def init_app(app: Flask) -> None:
    """Register the error pages."""

    @app.errorhandler(DomainError)
    def domain_refused(error):
        db.session.rollback()
        return render_template("errors/refused.html", message=domain_message(error)), 409

    @app.errorhandler(DataError)
    def unstorable(error):
        """The last guard behind the forms: a value the database cannot store (a NUL character on PostgreSQL,
        text longer than its column) is a refused request, not a server error; nothing was written. Logged with
        its traceback, since it may also be a bug (the statement's values are hidden: hide_parameters)."""
        db.session.rollback()
        current_app.logger.warning("refused a value the database cannot store", exc_info=error)
        return render_template("errors/error.html", code=400, title=N_("请求有误"),
                               message=_("内容含有无法处理的字符或超出长度,请检查后重试。")), 400

    # the titles are catalogue words (N_), shown with |tr in the reader's language
    for code, title in ((400, N_("请求有误")), (403, N_("无权访问")), (404, N_("页面不存在")),
                        (405, N_("请求方式不允许")), (413, N_("上传文件过大"))):
        app.register_error_handler(code, _page(code, title))

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return render_template("errors/error.html", code=500, title=N_("服务器内部错误")), 500


def _page(code: int, title: str):
    def handler(error):
        return render_template("errors/error.html", code=code, title=title, description=getattr(error, "description", None)), code

    return handler
