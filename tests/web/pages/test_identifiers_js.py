"""The page's IIN/BIN check (frontend/src/identifiers.js) says exactly what cabinet/identifiers.py
says, for every kind of number: valid ones, each broken rule, and a few thousand random ones.

The server re-checks every save, so a disagreement would not let a bad number in; it would tell a
person "fine" as they type and "wrong" when they save (or the reverse), which is what this prevents.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess

from cabinet.errors import InvalidIdentifier
from cabinet.identifiers import Bin, Iin, check_digit
from tests.conftest import REPO, require

SCRIPT = """
import { identifierProblem } from "./frontend/src/identifiers.js";
let input = "";
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  process.stdout.write(JSON.stringify(JSON.parse(input).map((n) => identifierProblem(n))));
});
"""


def server_reason(number: str) -> str | None:
    compact = "".join(number.split())
    if len(compact) != 12 or not compact.isdigit():
        return "format"
    try:
        (Bin if compact[4] in "456" else Iin)(compact)
    except InvalidIdentifier as refusal:
        return str((refusal.details or {})["reason"])
    return None


def with_check_digit(first_eleven: str) -> str:
    digit = check_digit(first_eleven)
    return first_eleven + str(digit if digit is not None else 0)


def numbers() -> list[str]:
    rng = random.Random(12)
    crafted = ["900101400123", "900101 400 123", "900101400124", "901301400123", "900101700123", "12345",
               "90010140012a", "", "051340000010", "051140000016", "050170000012", "050146000010",
               with_check_digit("05014000001"), with_check_digit("90010140012"), with_check_digit("05114100001"),
               with_check_digit("00022950001"), with_check_digit("00023050001")]
    randoms = ["".join(rng.choice("0123456789") for _ in range(12)) for _ in range(2000)]
    plausible = [with_check_digit(f"{rng.randint(0, 99):02d}{rng.randint(1, 12):02d}{rng.randint(1, 31):02d}"
                                  f"{rng.randint(1, 6)}{rng.randint(0, 9999):04d}") for _ in range(1000)]
    bins = [with_check_digit(f"{rng.randint(0, 99):02d}{rng.randint(0, 13):02d}{rng.choice('456')}"
                             f"{rng.randint(0, 4)}{rng.randint(0, 99999):05d}") for _ in range(1000)]
    return crafted + randoms + plausible + bins


def test_the_page_and_the_server_give_the_same_reason_for_every_number() -> None:
    node = shutil.which("node")
    require(node is not None, "node is not installed (the front-end build needs it)")
    assert node is not None
    cases = numbers()
    answer = subprocess.run([node, "--input-type=module", "-e", SCRIPT], cwd=REPO, input=json.dumps(cases),
                            capture_output=True, text=True, check=True, timeout=60)
    page = json.loads(answer.stdout)
    expected = [server_reason(n) for n in cases]
    disagreements = [(n, p, s) for n, p, s in zip(cases, page, expected, strict=True) if p != s]
    assert not disagreements, disagreements[:20]
    assert {reason for reason in expected} >= {None, "format", "century", "birth_date", "checksum",
                                               "registration_month", "division"}
