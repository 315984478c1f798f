"""Requests no view could answer sensibly are refused before any view runs: 404 or 400, never 500.

- Path ids past the databases' integers: the ``int`` converter matches only 0 … 2**31 - 1 (PostgreSQL's
  ``integer``, the ids' type; SQLite raises OverflowError past 2**63 - 1), so /cases/99999999999999999999
  is 404 like any id that does not exist.
- A NUL anywhere in the path or the query string: PostgreSQL can neither store nor compare it (a queue
  filter holding one failed inside the streamed CSV), and no page has a use for it; 400.
"""

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter

DATABASE_INT_MAX = 2**31 - 1


class DatabaseInteger(IntegerConverter):
    """An ``int`` path argument that fits the ids' column: larger numbers do not match the route."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):  # noqa: A002 - werkzeug's names
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=DATABASE_INT_MAX if max is None else max,
                         signed=signed)


def install_converters(app: Flask) -> None:
    """Replace the int converter; call before any blueprint adds its rules."""
    app.url_map.converters["int"] = DatabaseInteger


def init_app(app: Flask) -> None:
    """Refuse requests holding a NUL in their path or query string."""

    @app.before_request
    def _refuse_nul():
        if "\x00" in request.path or any("\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)):
            abort(400)
