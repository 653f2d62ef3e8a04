"""A pytest plugin for mutation runs: keep only the fast tests, those that need no real part.

A mutant is checked by re-running the tests that reach the mutated code, hundreds of times over;
a test that starts a database, a certificate authority with its OCSP/CRL server, a media relay or
reads the shared NCA fixtures costs seconds each time (and the NCA files are not beside the
``mutants/`` copy mutmut runs in). The rule modules are pure, so their own tests never need those
parts: the tests dropped here are the integration tests of the services built on the rules.

Hypothesis runs a small, derandomized profile, so a mutant's verdict is the same on every run.

Load with ``-p bench.mutation.fast_tests``.
"""

from __future__ import annotations

import pytest
from hypothesis import settings

#: Fixtures that bring up a real part (or read files outside the checkout).
SLOW_FIXTURES = frozenset({"database_url", "pki_session", "cast", "relay", "nca"})
MAX_EXAMPLES = 30


def pytest_configure(config: pytest.Config) -> None:
    """Property tests explore less and the same way each time: a verdict must not depend on luck."""
    settings.register_profile("mutation", max_examples=MAX_EXAMPLES, derandomize=True, database=None, deadline=None)
    settings.load_profile("mutation")


def is_fast(item: pytest.Item) -> bool:
    return not SLOW_FIXTURES.intersection(getattr(item, "fixturenames", ()))


def _capped(explicit: settings) -> settings:
    return settings(explicit, max_examples=min(explicit.max_examples, MAX_EXAMPLES),
                    stateful_step_count=min(explicit.stateful_step_count, 20), derandomize=True, database=None)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    slow = [item for item in items if not is_fast(item)]
    if slow:
        items[:] = [item for item in items if is_fast(item)]
        config.hook.pytest_deselected(items=slow)
    for item in items:
        # Settings written on a test (a state machine's 150 runs of 40 steps) beat the profile: cap them.
        test = getattr(item, "obj", None)
        explicit = getattr(test, "_hypothesis_internal_use_settings", None)
        if isinstance(explicit, settings):
            test._hypothesis_internal_use_settings = _capped(explicit)  # type: ignore[union-attr]
        case = getattr(item, "cls", None)
        if case is not None and isinstance(getattr(case, "settings", None), settings):
            case.settings = _capped(case.settings)
