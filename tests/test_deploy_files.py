"""docker-compose: MongoDB with a password and not published; Dockerfile: dependencies cached."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")


def test_mongodb_needs_a_password_and_is_not_published() -> None:
    mongo = COMPOSE["services"]["mongo"]
    assert "ports" not in mongo
    env = mongo["environment"]
    assert env["MONGO_INITDB_ROOT_USERNAME"].startswith("${MONGO_ROOT_USERNAME")
    # No default password: compose refuses to start without one in .env.
    assert env["MONGO_INITDB_ROOT_PASSWORD"].startswith("${MONGO_ROOT_PASSWORD:?")
    assert "--keyFile" in " ".join(mongo["entrypoint"])  # a replica set with auth needs one
    assert "--authenticationDatabase admin" in " ".join(mongo["healthcheck"]["test"])


def test_genie_connects_with_the_credentials() -> None:
    uri = COMPOSE["services"]["genie"]["environment"]["MONGODB_URI"]
    assert re.match(r"^mongodb://\$\{MONGO_ROOT_USERNAME[^}]*\}:\$\{MONGO_ROOT_PASSWORD:\?", uri)
    assert "authSource=admin" in uri and "replicaSet=rs0" in uri


def test_env_example_documents_the_compose_credentials() -> None:
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert "# MONGO_ROOT_USERNAME=" in example and "# MONGO_ROOT_PASSWORD=" in example


def test_dockerfile_installs_dependencies_before_copying_the_code() -> None:
    steps = [line.split()[0] + " " + line.split()[1] for line in DOCKERFILE.splitlines()
             if line.startswith(("COPY", "RUN"))]  # fmt: skip
    assert steps[0] == "COPY pyproject.toml" and steps[1] == "RUN python"
    assert DOCKERFILE.index("pip install -r") < DOCKERFILE.index("COPY . .")
    assert "--no-deps" in DOCKERFILE[DOCKERFILE.index("COPY . .") :]


def test_the_dependency_step_lists_every_dependency(tmp_path: Path) -> None:
    run = DOCKERFILE[DOCKERFILE.index("RUN python -c") :].split(" > /tmp/requirements.txt")[0]
    code = run.removeprefix("RUN python -c ").replace("\\\n", "").strip()[1:-1]
    (tmp_path / "pyproject.toml").write_bytes((ROOT / "pyproject.toml").read_bytes())
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout.split("\n")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert set(project["project"]["dependencies"]) <= {line.strip() for line in out}
