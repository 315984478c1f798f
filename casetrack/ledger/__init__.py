"""Ledger (台账) import and export: the spreadsheets townships keep their cases in, as shared/ledger.md fixes them."""
