"""WTForms classes mirroring web/."""
