"""``sotkab login``: the API client's side of EDS login, against a running server.

It does what NCALayer does for the browser: fetch a challenge, sign its bytes with the AUTH key
as a detached CMS, post it back, and print the bearer token for scripts and curl.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
from pathlib import Path
from typing import Any

import aiohttp

from cabinet.eds.cli import read_key_password
from cabinet.eds.keys import load_key_file
from core.config import Config
from core.errors import BadRequest


def add_commands(sub: Any) -> None:
    login = sub.add_parser("login", help="log in to a running server with an AUTH key; prints a bearer token")
    login.add_argument("--key", type=Path, required=True, help="AUTH_RSA256_*.p12 key file")
    login.add_argument("--password-file", type=Path, help="file whose first line is the key password")
    login.add_argument("--url", help="server base URL (default: the configured public_url)")
    login.set_defaults(func=_login)


async def _login(args: argparse.Namespace, config: Config) -> int:
    key = load_key_file(args.key, read_key_password(args, "Key password: "))
    base = (args.url or config.public_url).rstrip("/")
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
            async with http.post(f"{base}/api/v1/auth/challenge") as response:
                nonce = (await response.json())["nonce"]
            signature = base64.b64encode(key.sign(base64.b64decode(nonce), detached=True)).decode()
            async with http.post(f"{base}/api/v1/auth/login",
                                 json={"nonce": nonce, "signature": signature}) as response:
                body = await response.json()
    except aiohttp.ClientError as exc:
        raise BadRequest(f"cannot reach {base}: {exc}", code="server_unreachable") from exc
    if "error" in body:
        print(f"sotkab: login refused: {body['error']['code']}: {body['error']['message']}", file=sys.stderr)
        return 1
    print(json.dumps({"token": body["token"], "expires_at": body["expires_at"], "user": body["user"]},
                     ensure_ascii=False, indent=2))
    return 0
