"""Login challenges: authentic and unexpired ones open; anything else is refused without the database."""

import base64
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cabinet.identity.challenges import ChallengeMinter, ChallengeRefused, load_or_create_key
from core.clock import FixedClock

KEY = b"k" * 32


def minter(clock: FixedClock | None = None) -> ChallengeMinter:
    return ChallengeMinter(KEY, clock or FixedClock(), timedelta(minutes=5))


def test_a_minted_challenge_opens_until_it_expires() -> None:
    clock = FixedClock()
    challenge = minter(clock).mint()
    assert len(challenge.signed_bytes) == 56
    opened = minter(clock).open(challenge.nonce)
    assert opened.raw == challenge.signed_bytes and opened.expires_at == challenge.expires_at
    clock.advance(timedelta(minutes=5))
    with pytest.raises(ChallengeRefused) as refused:
        minter(clock).open(challenge.nonce)
    assert refused.value.code == "nonce_expired"


def test_every_challenge_is_different() -> None:
    m = minter()
    assert len({m.mint().nonce for _ in range(1000)}) == 1000


def test_another_installations_challenge_is_unknown() -> None:
    theirs = ChallengeMinter(b"o" * 32, FixedClock(), timedelta(minutes=5)).mint()
    with pytest.raises(ChallengeRefused) as refused:
        minter().open(theirs.nonce)
    assert refused.value.code == "nonce_unknown"


@given(position=st.integers(min_value=0, max_value=55), flip=st.integers(min_value=1, max_value=255))
def test_any_altered_byte_makes_a_challenge_unknown(position: int, flip: int) -> None:
    raw = bytearray(minter().mint().signed_bytes)
    raw[position] ^= flip
    with pytest.raises(ChallengeRefused) as refused:
        minter().open(base64.b64encode(bytes(raw)).decode())
    assert refused.value.code == "nonce_unknown"


@given(st.text(max_size=120))
def test_arbitrary_text_is_refused_never_crashes(text: str) -> None:
    with pytest.raises(ChallengeRefused):
        minter().open(text)


def test_the_key_is_created_once_private_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "secrets" / "login.key"
    first = load_or_create_key(path)
    assert len(first) == 32 and load_or_create_key(path) == first
    assert path.stat().st_mode & 0o077 == 0
