"""Verbs over the database: they load rows, ask domain/, change models, append an event and flush."""
