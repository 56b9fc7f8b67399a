"""Give a local `.env` a random development TWILIO_AUTH_TOKEN (run by `make setup`).

`make run` checks webhook signatures and `genie chat --url` signs its requests: both read
`.env`, so with one shared token the local default works and signatures stay on.
"""

from __future__ import annotations

import re
import secrets
import sys
from pathlib import Path

KEY = "TWILIO_AUTH_TOKEN"
_LINE = re.compile(rf"^\s*{KEY}\s*=(?P<value>.*)$")
NOTE = "# development token written by `make setup`; use your Twilio auth token in production"


def ensure_dev_token(env_file: Path) -> bool:
    """Write a random TWILIO_AUTH_TOKEN into `env_file` unless it has one; True when written."""
    lines = env_file.read_text(encoding="utf-8").splitlines() if env_file.exists() else []
    token = f"{KEY}=dev-{secrets.token_hex(16)}"
    for i, line in enumerate(lines):
        found = _LINE.match(line)
        if found is None:
            continue
        if found["value"].strip().strip("'\""):
            return False
        lines[i : i + 1] = [NOTE, token]
        break
    else:
        lines += [NOTE, token]
    env_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    env_file.chmod(0o600)  # it holds a secret now
    return True


def main(argv: list[str]) -> int:
    """`python -m agent.cli.dev_env [.env]`."""
    path = Path(argv[1] if len(argv) > 1 else ".env")
    if ensure_dev_token(path):
        print(f"{path}: wrote a development {KEY} (shared by `make run` and `genie chat --url`)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
