"""What the quiz, certificate and notification rules need from the settings, in one record."""

from __future__ import annotations

from dataclasses import dataclass, field

from agent.settings import Settings


@dataclass(frozen=True)
class SmtpConfig:
    """Where completion emails go; `host` None means no email is sent."""

    host: str | None = None
    port: int = 587
    username: str | None = None
    password: str | None = None
    sender: str = "genie@localhost"
    starttls: bool = True
    timeout_s: float = 10.0
    recipients: tuple[str, ...] = ()


@dataclass(frozen=True)
class QuizConfig:
    """Pass mark, attempts cap, programme name and where certificates are served and kept."""

    pass_mark: int = 80
    max_attempts: int | None = None  # None: unlimited
    programme: str = "Partner Training Programme"
    public_base_url: str | None = None
    certificate_dir: str | None = None  # None: PDFs are made on every request, not kept
    render_processes: int = 1  # child processes rendering PDFs; 0: in the calling thread
    smtp: SmtpConfig = field(default_factory=SmtpConfig)

    @classmethod
    def from_settings(cls, s: Settings) -> QuizConfig:
        """The configuration the settings describe."""
        smtp = SmtpConfig(
            host=s.smtp_host,
            port=s.smtp_port,
            username=s.smtp_username,
            password=s.smtp_password,
            sender=s.smtp_from,
            starttls=s.smtp_starttls,
            timeout_s=s.smtp_timeout_s,
            recipients=tuple(s.completion_email_to),
        )
        return cls(
            pass_mark=s.quiz_pass_mark,
            max_attempts=s.quiz_max_attempts,
            programme=s.programme_name,
            public_base_url=s.public_base_url,
            certificate_dir=s.certificate_dir,
            render_processes=s.certificate_render_processes,
            smtp=smtp,
        )
