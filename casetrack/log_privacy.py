"""Keep ID numbers and phones out of the logs, whatever writes them.

A search box is a GET form, so a number typed into it is in the request line before the app can refuse it
(web/listing.py redirects without it); the development server's and gunicorn's access logs would keep it.
A filter on those loggers, and on the app's own, replaces any such number with a marker before the record
reaches a handler.
"""

import logging
from urllib.parse import unquote_plus

from casetrack.domain.identity import PERSONAL_NUMBER

REDACTED = "[已隐去]"
LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error", "casetrack")


class RedactPersonalNumbers(logging.Filter):
    """Rewrite a record whose message holds an ID number or a phone; the record is always kept."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: leave it to logging's own error handling, as before
            return True
        if "%" in message:  # a request line: full-width digits arrive percent-encoded
            message = unquote_plus(message)
        if PERSONAL_NUMBER.search(message):
            record.msg, record.args = PERSONAL_NUMBER.sub(REDACTED, message), ()
        return True


_FILTER = RedactPersonalNumbers()


def install(*extra: str) -> None:
    """Put the filter on the access, server and app loggers (once each, however many apps are built)."""
    for name in (*LOGGERS, *extra):
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
