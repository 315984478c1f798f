"""Error pages, and the 409 answer when the domain refuses an action."""

from flask import Flask, render_template

from casetrack.domain.errors import DomainError
from casetrack.extensions import db


def init_app(app: Flask) -> None:
    """Register the error pages."""

    @app.errorhandler(DomainError)
    def domain_refused(error):
        db.session.rollback()
        return render_template("errors/refused.html", message=str(error)), 409

    for code, title in ((400, "请求有误"), (403, "无权访问"), (404, "页面不存在"), (405, "请求方式不允许"),
                        (413, "上传文件过大")):
        app.register_error_handler(code, _page(code, title))

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return render_template("errors/error.html", code=500, title="服务器内部错误"), 500


def _page(code: int, title: str):
    def handler(error):
        return render_template("errors/error.html", code=code, title=title, description=getattr(error, "description", None)), code

    return handler
