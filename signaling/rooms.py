"""The socket.io rooms of ``/hearing``: the addresses events are sent to.

``hearing:<id>`` (everybody connected), ``hearing:<id>:room`` (people in the hearing room: the
all-participants chat), ``hearing:<id>:staff`` (judge and clerk: staff chat, live connection
statistics, alerts) and ``hearing:<id>:user:<uid>`` (one person's sockets).
"""

from __future__ import annotations


def hearing_room(hearing_id: int) -> str:
    return f"hearing:{hearing_id}"


def in_room(hearing_id: int) -> str:
    return f"hearing:{hearing_id}:room"


def staff_room(hearing_id: int) -> str:
    return f"hearing:{hearing_id}:staff"


def user_room(hearing_id: int, user_id: int) -> str:
    return f"hearing:{hearing_id}:user:{user_id}"
