"""Sealed hearing recordings: capture from the relay's tap, the court's seal, access and retention (API.md)."""
