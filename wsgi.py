"""WSGI entry point for gunicorn: `gunicorn wsgi:app`."""

from casetrack import create_app

app = create_app()
