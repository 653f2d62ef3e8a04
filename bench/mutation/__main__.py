"""``make mutation``: how many injected bugs in the rule modules the tests catch, module by module.

1. mutmut (configured under ``[tool.mutmut]`` in pyproject.toml) mutates inside the functions of
   the rule modules and runs, for each mutant, the fast tests that reach the mutated function.
2. Every mutant mutmut did not kill (survived, or reached by no test) is run again in a fresh
   process with the module's own tests (:mod:`bench.mutation.fresh`): mutmut switches mutants at
   call time in workers forked after import, so code that runs at import time gives false survivors.
3. :mod:`bench.mutation.tables` mutates the module-level rule tables, which mutmut never touches;
   each such mutant is imported in a fresh process and checked by the module's own tests.

A module's own tests are the fast tests (see :mod:`bench.mutation.fast_tests`) of mutmut's test
selection that import it. Mutants reviewed as equivalent (no behaviour can tell them apart) are
listed with the reason in ``equivalent.toml`` and count neither way. The score is
killed / (killed + survived); the last line is the benches' JSON with ``mutation_score_min``.

    python -m bench.mutation [--incremental] [--module sessions/lifecycle.py ...] [--jobs 2]

After writing tests for a module's survivors, ``--recheck-survivors`` runs only the mutants its last
verdicts left alive (fresh runs, against the tests as they are now) and updates those verdicts: a
test added can only kill more, so a mutant killed before stays killed. The module and the tests that
killed earlier mutants must not have changed since; when in doubt, or for the figures of a report's
first pass, run the module in full.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from bench.mutation import fresh
from bench.mutation.survivors import describe_mutmut_mutant, module_tests
from bench.mutation.tables import table_mutants

REPO = Path(__file__).resolve().parents[2]
MUTANTS = REPO / "mutants"
TARGET = 0.90
_KILLED_BY_MUTMUT = {1, 3, 24, -24, 152, 36, 255}  # failed tests, pytest internal error, timeouts


@dataclass
class Tally:
    module: str
    killed: int = 0
    survived: list[str] = field(default_factory=list)
    equivalent: list[str] = field(default_factory=list)
    by_mutmut: int = 0
    by_tables: int = 0

    @property
    def tested(self) -> int:
        return self.killed + len(self.survived)

    @property
    def score(self) -> float:
        return self.killed / self.tested if self.tested else 1.0


def _replace_if_changed(source: str, target: str) -> str:
    """Copy a file into ``mutants/`` only when it differs, by an atomic rename: another run's pytest
    may be reading the old one."""
    data = Path(source).read_bytes()
    path = Path(target)
    if not path.exists() or path.read_bytes() != data:
        partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        partial.write_bytes(data)
        os.replace(partial, path)
    return target


def _config() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["tool"]["mutmut"]


def _equivalents() -> dict[tuple[str, str], str]:
    data = tomllib.loads((Path(__file__).parent / "equivalent.toml").read_text("utf-8"))
    return {(entry["module"], entry["mutant"]): entry["reason"] for entry in data.get("equivalent", [])}


def _run_mutmut(jobs: int, incremental: bool, modules: list[str] | None, log: Path) -> float:
    if not incremental and modules is None and MUTANTS.exists():
        shutil.rmtree(MUTANTS)
    patterns = [f"{_dotted(module)}.*" for module in modules or []]
    started = time.monotonic()
    with log.open("w") as out:
        done = subprocess.run(
            [str(Path(sys.executable).with_name("mutmut")), "run", "--max-children", str(jobs), *patterns],
            cwd=REPO, stdout=out, stderr=subprocess.STDOUT, check=False,
        )
    if done.returncode != 0:
        sys.exit(f"mutmut failed (exit {done.returncode}); see {log}")
    return time.monotonic() - started


def _mutmut_verdicts(module: str) -> dict[str, int | None]:
    meta = MUTANTS / (module + ".meta")
    return dict(json.loads(meta.read_text("utf-8"))["exit_code_by_key"])


def _dotted(module: str) -> str:
    return module.removesuffix(".py").replace("/", ".")


def _baseline(module: str, tests: list[str], extra: list[str]) -> float:
    """The module's own tests must pass unmutated, in both places mutants are run from."""
    started = time.monotonic()
    for cwd in (REPO, MUTANTS):
        job = fresh.Job(f"baseline {cwd.name}", cwd, [*extra, *tests], timeout_s=600,
                        mutant_under_test="" if cwd == MUTANTS else None)
        code = fresh.run_jobs([job], 1)[job.key]
        if code != 0:
            sys.exit(f"{module}: its tests fail without any mutant (exit {code}) in {cwd}")
    return (time.monotonic() - started) / 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.mutation", description=__doc__.split("\n")[0])
    parser.add_argument("--module", action="append", help="only this module (repeatable), e.g. cabinet/money.py")
    parser.add_argument("--jobs", type=int, default=2, help="processes at a time (default 2)")
    parser.add_argument("--incremental", action="store_true",
                        help="keep mutmut's earlier verdicts in mutants/ (always so with --module)")
    parser.add_argument("--skip-mutmut", action="store_true", help="reuse mutants/ as it is (after a run)")
    parser.add_argument("--logs", type=Path, help="keep each fresh run's pytest output in this folder")
    parser.add_argument("--recheck-survivors", action="store_true",
                        help="re-run only the survivors of the last run (after new tests); update the verdicts")
    parser.add_argument("--report", action="store_true",
                        help="run nothing: report the last verdicts (var/mutation/verdicts) against equivalent.toml")
    args = parser.parse_args(argv)

    config = _config()
    modules: list[str] = list(config["only_mutate"])
    unknown = sorted(set(args.module or []) - set(modules))
    if unknown:
        parser.error(f"not in [tool.mutmut] only_mutate: {', '.join(unknown)}")
    selected = args.module or modules
    extra = [a for a in config.get("pytest_add_cli_args", [])]
    selection = list(config["pytest_add_cli_args_test_selection"])
    if args.logs:
        args.logs.mkdir(parents=True, exist_ok=True)
    equivalents = _equivalents()
    started = time.monotonic()
    if args.report:
        return _summary(selected, equivalents, 0.0, 0.0)

    log_dir = REPO / "var" / "mutation"
    log_dir.mkdir(parents=True, exist_ok=True)
    if args.skip_mutmut or args.recheck_survivors:
        mutmut_s = 0.0
    else:
        print(f"mutmut run over {len(modules)} modules (log: {log_dir / 'mutmut.log'}) ...", flush=True)
        mutmut_s = _run_mutmut(args.jobs, args.incremental, args.module, log_dir / "mutmut.log")
        print(f"  mutmut done in {mutmut_s:.0f} s", flush=True)

    # Fresh runs of mutmut's mutants use the tests as they are now, not as mutmut copied them.
    for folder in ("tests", "bench"):
        shutil.copytree(REPO / folder, MUTANTS / folder, dirs_exist_ok=True, copy_function=_replace_if_changed,
                        ignore=shutil.ignore_patterns("__pycache__"))
    fresh.preload()
    for module in selected:
        tests = module_tests(module, selection)
        if not tests:
            sys.exit(f"{module}: no test in the selection imports it")
        module_started = time.monotonic()
        if args.recheck_survivors:
            records = _recheck_survivors(module, tests, extra, args.jobs, args.logs)
        else:
            records = _check_module(module, tests, extra, args.jobs, args.logs)
        _verdict_file(module).write_text(json.dumps(records, ensure_ascii=False, indent=1), "utf-8")
        print(f"{module}: {len(records)} mutants, {sum(1 for r in records if r['source'] == 'table')} of them "
              f"in tables, checked in {time.monotonic() - module_started:.0f} s", flush=True)
    return _summary(selected, equivalents, time.monotonic() - started, mutmut_s)


def _verdict_file(module: str) -> Path:
    folder = REPO / "var" / "mutation" / "verdicts"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / (module.replace("/", "__") + ".json")


def _check_module(module: str, tests: list[str], extra: list[str], parallel: int,
                  logs: Path | None) -> list[dict[str, object]]:
    """Every mutant of one module with its verdict: mutmut's kills, then fresh runs for the rest."""
    per_run = _baseline(module, tests, extra)
    timeout = max(30.0, per_run * 10)
    records: dict[str, dict[str, object]] = {}
    jobs: list[fresh.Job] = []
    for name, code in _mutmut_verdicts(module).items():
        label = describe_mutmut_mutant(MUTANTS, module, name)
        records[name] = {"key": label, "label": label, "source": "mutmut", "killed": code in _KILLED_BY_MUTMUT}
        if code not in _KILLED_BY_MUTMUT:
            jobs.append(fresh.Job(name, MUTANTS, [*extra, *tests], mutant_under_test=name, timeout_s=timeout,
                                  module_name=_dotted(module)))
    for index, mutant in enumerate(table_mutants(REPO / module, module)):
        key = f"table:{module}:{index}"
        records[key] = {"key": mutant.key, "label": f"{mutant.key} (line {mutant.line})", "source": "table",
                        "killed": False}
        jobs.append(fresh.Job(key, REPO, [*extra, *tests], module_name=_dotted(module),
                              module_source=mutant.source, timeout_s=timeout))
    for key, code in fresh.run_jobs(jobs, parallel, logs, progress=True).items():
        records[key]["killed"] = code in fresh.KILLING_EXIT_CODES
    return list(records.values())


def _recheck_survivors(module: str, tests: list[str], extra: list[str], parallel: int,
                       logs: Path | None) -> list[dict[str, object]]:
    """The last verdicts of ``module`` with only its survivors run again against today's tests."""
    path = _verdict_file(module)
    if not path.exists():
        sys.exit(f"{module}: no verdicts yet in {path}; run it in full first")
    records: list[dict[str, object]] = json.loads(path.read_text("utf-8"))
    per_run = _baseline(module, tests, extra)
    timeout = max(30.0, per_run * 10)
    mutmut_names = {describe_mutmut_mutant(MUTANTS, module, name): name for name in _mutmut_verdicts(module)}
    tables = {mutant.key: mutant for mutant in table_mutants(REPO / module, module)}
    jobs: dict[str, tuple[fresh.Job, dict[str, object]]] = {}
    for index, record in enumerate(records):
        if record["killed"]:
            continue
        key = f"recheck:{index}"
        if record["source"] == "mutmut":
            name = mutmut_names.get(str(record["label"]))
            if name is None:
                sys.exit(f"{module}: mutant {record['label']!r} is no longer in mutants/; run the module in full")
            job = fresh.Job(key, MUTANTS, [*extra, *tests], mutant_under_test=name, timeout_s=timeout,
                            module_name=_dotted(module))
        else:
            mutant = tables.get(str(record["key"]))
            if mutant is None:
                sys.exit(f"{module}: table mutant {record['key']!r} no longer exists; run the module in full")
            job = fresh.Job(key, REPO, [*extra, *tests], module_name=_dotted(module), module_source=mutant.source,
                            timeout_s=timeout)
        jobs[key] = (job, record)
    print(f"{module}: re-checking {len(jobs)} survivors of {len(records)} mutants", flush=True)
    for key, code in fresh.run_jobs([job for job, _ in jobs.values()], parallel, logs, progress=True).items():
        jobs[key][1]["killed"] = code in fresh.KILLING_EXIT_CODES
    return records


def _summary(selected: list[str], equivalents: dict[tuple[str, str], str], total_s: float, mutmut_s: float) -> int:
    tallies: list[Tally] = []
    used: set[tuple[str, str]] = set()
    for module in selected:
        path = _verdict_file(module)
        if not path.exists():
            sys.exit(f"{module}: no verdicts yet in {path}; run without --report first")
        tally = Tally(module)
        for record in json.loads(path.read_text("utf-8")):
            key = (module, str(record["key"]))
            if record["source"] == "table":
                tally.by_tables += 1
            else:
                tally.by_mutmut += 1
            if key in equivalents:
                used.add(key)
                tally.equivalent.append(str(record["label"]))
            elif record["killed"]:
                tally.killed += 1
            else:
                tally.survived.append(str(record["label"]))
        tallies.append(tally)
    _report(tallies, equivalents, used, selected, total_s, mutmut_s)
    lowest = min(t.score for t in tallies)
    return 0 if lowest >= TARGET else 1


def _report(tallies: list[Tally], equivalents: dict[tuple[str, str], str], used: set[tuple[str, str]],
            selected: list[str], total_s: float, mutmut_s: float) -> None:
    print()
    print(f"{'module':<28} {'mutants':>8} {'killed':>7} {'survived':>9} {'equiv.':>7} {'score':>7}")
    for t in tallies:
        print(f"{t.module:<28} {t.tested:>8} {t.killed:>7} {len(t.survived):>9} {len(t.equivalent):>7} "
              f"{t.score:>7.1%}")
    for t in tallies:
        if t.survived:
            print(f"\nsurvivors in {t.module}:")
            for label in t.survived:
                print(f"  - {label}")
    stale = sorted(key for key in equivalents if key[0] in selected and key not in used)
    if stale:
        print("\nequivalent.toml entries that match no mutant any more (review and remove):")
        for module, mutant in stale:
            print(f"  - {module}: {mutant}")
    if total_s:
        print(f"\nrun time: {total_s:.0f} s (mutmut {mutmut_s:.0f} s)")
    lowest = min(tallies, key=lambda t: t.score)
    results = [
        {"name": "mutation_score_min", "value": round(lowest.score, 4), "unit": "ratio", "target": TARGET,
         "met": lowest.score >= TARGET},
        *(
            {"name": f"mutation_score[{t.module}]", "value": round(t.score, 4), "unit": "ratio", "target": TARGET,
             "met": t.score >= TARGET}
            for t in tallies
        ),
    ]
    if total_s:
        results.append({"name": "mutation_run_time", "value": round(total_s), "unit": "s", "target": None,
                        "met": True})
    print(json.dumps({"results": results}))


if __name__ == "__main__":
    sys.exit(main())
