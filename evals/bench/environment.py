"""The bench's world: fake Twilio and LLM, the store the services share, and their settings."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import agent
from agent.settings import Settings
from evals.bench.service import service_env
from evals.fakes.openai_server import FakeOpenAI
from evals.fakes.twilio_api import FakeTwilioAPI
from store.factory import open_store

ACCOUNT_SID = "AC" + "b0" * 16
AUTH_TOKEN = "bench-auth-token"
WHATSAPP_FROM = "+14155238886"
PUBLIC_BASE_URL = "https://genie-bench.example.com"
BENCH_MODEL = "gpt-4o-mini"


def bench_settings(**values: Any) -> Settings:
    """Settings from `values` and the environment, never from a developer's `.env` file;
    the fakes' embeddings are never kept on disk (they would pose as a real model's)."""
    options: dict[str, Any] = {"_env_file": None, "embeddings_cache_dir": "none", **values}
    return Settings(**options)


@dataclass(frozen=True)
class StoreChoice:
    """Where the services keep their data: one SQLite file, or a fresh MongoDB database."""

    kind: str
    sqlite_path: str | None = None
    mongodb_uri: str | None = None
    mongodb_db: str | None = None

    @staticmethod
    def make(kind: str, workdir: Path) -> StoreChoice:
        """SQLite in the work folder, or MongoDB at MONGODB_URI in a database of its own."""
        if kind == "mongo":
            uri = os.environ.get("MONGODB_URI")
            if not uri:
                raise ValueError("--store mongo needs MONGODB_URI")
            return StoreChoice(
                "mongo", mongodb_uri=uri, mongodb_db=f"genie_bench_{uuid.uuid4().hex[:8]}"
            )
        return StoreChoice("sqlite", sqlite_path=str(workdir / "genie.db"))

    def settings(self) -> Settings:
        """Settings (no .env) that open this store."""
        if self.kind == "mongo":
            return bench_settings(
                store="mongo", mongodb_uri=self.mongodb_uri, mongodb_db=self.mongodb_db
            )
        return bench_settings(store="sqlite", sqlite_path=self.sqlite_path)

    def env(self) -> dict[str, str]:
        """The environment variables that select this store."""
        if self.kind == "mongo":
            return {"STORE": "mongo", "MONGODB_URI": self.mongodb_uri or "",
                    "MONGODB_DB": self.mongodb_db or ""}  # fmt: skip
        return {"STORE": "sqlite", "SQLITE_PATH": self.sqlite_path or ""}

    def seed(self) -> None:
        """Create and seed the store once, before several processes race to do it."""
        open_store(self.settings(), seed=True).close()

    def drop(self) -> None:
        """Remove a MongoDB bench database (the SQLite file goes with the work folder)."""
        if self.kind == "mongo" and self.mongodb_uri and self.mongodb_db:
            from pymongo import MongoClient

            client: MongoClient[dict[str, object]] = MongoClient(
                self.mongodb_uri, serverSelectionTimeoutMS=5000
            )
            client.drop_database(self.mongodb_db)
            client.close()


def services_env(
    store: StoreChoice, twilio: FakeTwilioAPI, llm: FakeOpenAI, llm_timeout_s: float
) -> dict[str, str]:
    """Everything `genie serve` reads, pointing at the fakes; no developer .env involved."""
    source_root = str(Path(agent.__file__).resolve().parent.parent)
    return service_env(
        {
            **store.env(),
            "PYTHONPATH": source_root,
            "SEED_SAMPLE_CONTENT": "false",
            "LLM_PROVIDER": "openai",
            "OPENAI_API_KEY": "bench-key",
            "OPENAI_BASE_URL": llm.base_url,
            "OPENAI_MODEL": BENCH_MODEL,
            "LLM_TIMEOUT_S": str(llm_timeout_s),
            "TWILIO_ACCOUNT_SID": twilio.account_sid,
            "TWILIO_AUTH_TOKEN": twilio.auth_token,
            "TWILIO_WHATSAPP_FROM": WHATSAPP_FROM,
            "TWILIO_API_BASE_URL": twilio.base_url,
            "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
            "TWILIO_VALIDATE_SIGNATURE": "true",
            # Partners here send 16 messages in well under a minute: not what the limit is for.
            "RATE_LIMIT_MESSAGES": "100000",
            "EMBEDDINGS_CACHE_DIR": "none",  # the fake's vectors are never kept
            "LOG_LEVEL": "warning",
            "LOG_FORMAT": "text",
        }
    )
