"""Beian Kiosk core: settings, data model, case workflow, photo judge, documents, archive. No Flask here."""

__version__ = "0.1.0"
