"""Run pytest on one mutant in a process that has imported none of the project's code yet.

mutmut forks its workers after the test session has imported everything, and switches mutants
at call time through trampolines; code that runs at import (module-level tables, a function called
while a module loads) is never mutated there, so such mutants look like survivors. Here each
mutant gets a child forked from a parent that holds only third-party libraries (pytest, aiohttp,
SQLAlchemy, cryptography, aiortc, ...): the child imports the project, mutant included, from
scratch, which costs a fraction of a new interpreter and gives the same verdict.

A job either names a mutmut mutant (the child runs inside ``mutants/`` with ``MUTANT_UNDER_TEST``
set) or carries a module's replacement source (a table mutant), served by an import hook. The child
imports the mutated module first, then the app (which imports every package): a mutant that stops
either from loading is killed (pytest would only stop on a usage or collection error, which says
nothing about which tests caught it).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import os
import signal
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

#: Imported once in the parent so every child inherits them; none of them imports the project.
_PRELOAD = (
    "pytest", "_pytest.python", "_pytest.fixtures", "_pytest.assertion.rewrite", "pytest_asyncio",
    "pytest_timeout", "hypothesis", "aiohttp", "aiohttp.web", "aiohttp.test_utils", "sqlalchemy",
    "sqlalchemy.ext.asyncio", "sqlalchemy.orm", "asyncpg", "aiosqlite", "alembic", "alembic.command",
    "cryptography.x509", "cryptography.hazmat.primitives.asymmetric.rsa",
    "cryptography.hazmat.primitives.serialization.pkcs12", "asn1crypto.cms", "pyhanko_certvalidator",
    "socketio", "aiortc", "av", "redis.asyncio", "aiosmtplib", "mutmut.mutation.trampoline",
)

KILLED_BY_TIMEOUT = -1
#: Imported after the mutated module in each child: it imports every package of the platform.
APP_MODULE = "web.app"
#: The mutated module cannot even be imported (a table row that no longer builds): every test that
#: imports it would fail, so the mutant is caught; pytest itself would report it as a usage error.
KILLED_AT_IMPORT = 71


def preload() -> None:
    for name in _PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:
            continue
    project = {"core", "cabinet", "sessions", "signaling", "media", "recordings", "web", "migrations"}
    leaked = sorted(name for name in sys.modules if name.split(".")[0] in project)
    if leaked:
        raise RuntimeError(f"the fork parent must not import the project, but holds {leaked[:5]}")


@dataclass(frozen=True)
class Job:
    key: str
    cwd: Path
    pytest_args: Sequence[str]
    mutant_under_test: str | None = None
    module_name: str | None = None
    module_source: str | None = None
    timeout_s: float = 120.0


@dataclass
class _Running:
    job: Job
    pid: int
    started: float
    log: Path | None = None


class _SourceOverride(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serve one module from a string, keeping its real file name for tracebacks."""

    def __init__(self, name: str, path: Path, source: str) -> None:
        self.name, self.path, self.source = name, path, source

    def find_spec(self, fullname: str, path: object = None, target: object = None) -> object:
        if fullname != self.name:
            return None
        return importlib.util.spec_from_loader(fullname, self, origin=str(self.path))

    def create_module(self, spec: object) -> None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        module.__file__ = str(self.path)
        exec(compile(self.source, str(self.path), "exec"), module.__dict__)


REPO = Path(__file__).resolve().parents[2]
#: pytest's own exit codes that mean a test failed (1) or the mutant broke pytest itself (3).
KILLING_EXIT_CODES = frozenset({1, 3, KILLED_BY_TIMEOUT, KILLED_AT_IMPORT})
_CHILD_BROKEN = 70


class FreshRunError(RuntimeError):
    """A fresh run could not even start: a fault of the tool or the set-up, not a verdict on a mutant."""


def _child(job: Job, log: Path | None) -> None:
    target = os.open(log or os.devnull, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(target, 1)
    os.dup2(target, 2)
    # The project is imported from the job's folder only (``mutants/`` for mutmut's mutants).
    sys.path[:] = [str(job.cwd)] + [p for p in sys.path if Path(p or ".").resolve() != REPO]
    os.chdir(job.cwd)
    if job.mutant_under_test is not None:
        os.environ["MUTANT_UNDER_TEST"] = job.mutant_under_test
        os.environ["PY_IGNORE_IMPORTMISMATCH"] = "1"
    else:
        os.environ.pop("MUTANT_UNDER_TEST", None)
    if job.module_name is not None and job.module_source is not None:
        relative = Path(*job.module_name.split(".")).with_suffix(".py")
        sys.meta_path.insert(0, _SourceOverride(job.module_name, job.cwd / relative, job.module_source))
    if job.module_name is not None:
        try:
            importlib.import_module(job.module_name)
            # A table row read by another module while it loads (a citation computed at import)
            # can break the platform's import without breaking the mutated module's own; the app
            # imports every package, so a mutant it cannot load is caught by any test that starts it.
            importlib.import_module(APP_MODULE)
        except Exception:
            import traceback

            traceback.print_exc()
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(KILLED_AT_IMPORT)
    import pytest

    code = int(pytest.main(["-x", "-q", "-p", "no:randomly", *job.pytest_args]))
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def run_jobs(jobs: Sequence[Job], parallel: int, logs: Path | None = None, progress: bool = False) -> dict[str, int]:
    """Exit code of each job's pytest run (``KILLED_BY_TIMEOUT`` when it ran out of time).

    0 is a survivor; :data:`KILLING_EXIT_CODES` kill. Anything else (no tests collected, a usage
    error, a child that crashed before pytest ran) raises :class:`FreshRunError`: counting it as a
    kill would flatter the score. With ``progress``, each survivor is printed when found and a count
    every 25 jobs, so a run stopped early still says how far it got.
    """
    pending = list(jobs)
    running: list[_Running] = []
    results: dict[str, int] = {}
    while pending or running:
        while pending and len(running) < parallel:
            job = pending.pop(0)
            log = None if logs is None else logs / (job.key.replace("/", "_")[:150] + ".log")
            pid = os.fork()
            if pid == 0:
                try:
                    _child(job, log)
                except BaseException:
                    import traceback

                    traceback.print_exc()
                finally:
                    os._exit(_CHILD_BROKEN)
            running.append(_Running(job, pid, time.monotonic(), log))
        time.sleep(0.01)
        for run in list(running):
            done, status = os.waitpid(run.pid, os.WNOHANG)
            if done:
                code = os.waitstatus_to_exitcode(status)
                if code in (2, 4, 5, _CHILD_BROKEN):  # interrupted, usage error, no tests, crashed
                    raise FreshRunError(f"{run.job.key}: pytest exit {code} (log: {run.log or 'pass --logs'})")
                results[run.job.key] = code
                running.remove(run)
                _report_progress(progress, run.job.key, code, len(results), len(jobs))
            elif time.monotonic() - run.started > run.job.timeout_s:
                os.kill(run.pid, signal.SIGKILL)
                os.waitpid(run.pid, 0)
                results[run.job.key] = KILLED_BY_TIMEOUT
                running.remove(run)
                _report_progress(progress, run.job.key, KILLED_BY_TIMEOUT, len(results), len(jobs))
    return results


def _report_progress(enabled: bool, key: str, code: int, done: int, total: int) -> None:
    if not enabled:
        return
    if code not in KILLING_EXIT_CODES:
        print(f"  survived: {key}", flush=True)
    if done % 25 == 0 or done == total:
        print(f"  {done}/{total} fresh runs done", flush=True)
