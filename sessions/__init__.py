"""Hearings: plan, lifecycle, admission, presence, scheduling, minutes — and public access to cases and
the day's hearings (``sessions.public``), which reads both the cabinet's cases and the hearings.

:func:`sessions.setup.setup` registers the routes, the OpenAPI fragments, the case-file section and
the services; :mod:`sessions.schema` names the tables.
"""
