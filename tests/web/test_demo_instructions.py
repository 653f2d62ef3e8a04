"""`make run` prints how to log in; those lines must work as printed from a second shell."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO, require
from tests.web.pages.server import start_server


def test_the_printed_login_lines_work_from_a_second_shell(tmp_path: Path) -> None:
    require((REPO / ".venv" / "bin" / "sotkab").exists(), "the .venv of `make install` is absent")
    require(subprocess.run(["which", "curl"], capture_output=True).returncode == 0, "curl is not installed")
    server = start_server(tmp_path)
    try:
        env = {**os.environ, "SOTKAB_DATA_DIR": str(server.data_dir), "SOTKAB_DATABASE_URL": server.database_url,
               "SOTKAB_PUBLIC_URL": server.url}
        seeded = subprocess.run([sys.executable, "-c", "from web.cli import main; raise SystemExit(main())",
                                 "demo", "seed"], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
        assert seeded.returncode == 0, seeded.stderr
        printed = seeded.stdout.splitlines()
        assert any(f"{server.url}/login" in line for line in printed)
        login_line = next(line.strip() for line in printed if "sotkab login" in line)
        curl_line = next(line.strip() for line in printed if line.strip().startswith("curl "))
        # A second shell: the repository as working directory, none of the server's settings.
        shell_env = {k: v for k, v in os.environ.items() if not k.startswith("SOTKAB_")}
        logged_in = subprocess.run(["bash", "-c", login_line], cwd=REPO, env=shell_env, capture_output=True,
                                   text=True, timeout=120)
        assert logged_in.returncode == 0, logged_in.stderr
        token = json.loads(logged_in.stdout)["token"]
        me = subprocess.run(["bash", "-c", curl_line.replace("TOKEN", token) + " -sS"], cwd=REPO, env=shell_env,
                            capture_output=True, text=True, timeout=60)
        assert me.returncode == 0, me.stderr
        assert json.loads(me.stdout)["iin"] == "720315300121"  # the demo judge
    finally:
        server.stop()

