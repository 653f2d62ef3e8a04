"""Court notices: a notice in the person's cabinet, delivered by e-mail and SMS through an outbox.

:func:`cabinet.notifications.outbox.notify` writes the notice and its deliveries in the caller's
transaction; :mod:`cabinet.notifications.sender` delivers them in the background with retries.
"""
