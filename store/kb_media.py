"""Media items in a training session: validation against WhatsApp's rules (kinds, https, sizes)."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

MediaKind = Literal["image", "video", "document", "audio"]
CAPTION_LIMIT = 1024  # WhatsApp's media caption limit
# WhatsApp Cloud API limits per kind, in bytes (checked when the admin gives a size).
SIZE_LIMITS: dict[str, int] = {
    "image": 5 * 1024 * 1024,
    "video": 16 * 1024 * 1024,
    "audio": 16 * 1024 * 1024,
    "document": 100 * 1024 * 1024,
}


class MediaItem(BaseModel):
    """One picture, video, document or audio clip, shown after paragraph `after_paragraph`.

    `after_paragraph` 0 puts it before the session text; N after the N-th paragraph (a
    number past the last paragraph puts it at the end).
    """

    url: str = Field(min_length=1, max_length=2000)
    kind: MediaKind
    caption: str | None = Field(default=None, max_length=CAPTION_LIMIT)
    after_paragraph: int = Field(default=0, ge=0)
    size_bytes: int | None = Field(default=None, ge=0)

    @field_validator("url")
    @classmethod
    def _https_only(cls, value: str) -> str:
        value = value.strip()
        if not value.startswith("https://") or any(c.isspace() for c in value):
            raise ValueError("must be an https:// URL without spaces")
        return value

    @field_validator("caption")
    @classmethod
    def _one_line_or_none(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @model_validator(mode="after")
    def _within_size_limit(self) -> MediaItem:
        limit = SIZE_LIMITS[self.kind]
        if self.size_bytes is not None and self.size_bytes > limit:
            mb = limit // (1024 * 1024)
            raise ValueError(f"size_bytes: a WhatsApp {self.kind} can be at most {mb} MB")
        return self


def check_media(value: object) -> tuple[list[dict[str, Any]], list[str]]:
    """Validated media items as plain dicts, and a problem per bad item ("item 2: ...")."""
    if not isinstance(value, list):
        return [], ["media must be a list of {url, kind, caption, after_paragraph} items"]
    items: list[dict[str, Any]] = []
    problems: list[str] = []
    for position, entry in enumerate(value, start=1):
        if not isinstance(entry, dict):
            problems.append(f"media item {position} must be a mapping with url and kind")
            continue
        try:
            item = MediaItem.model_validate(entry)
        except ValidationError as exc:
            problems.append(f"media item {position}: {_reason(exc)}")
            continue
        items.append(item.model_dump(exclude_none=True, exclude_defaults=False))
    return items, problems


def _reason(exc: ValidationError) -> str:
    reasons = []
    for err in exc.errors():
        where = ".".join(str(part) for part in err["loc"])
        text = err["msg"].removeprefix("Value error, ")
        reasons.append(f"{where} {text}" if where else text)
    return "; ".join(reasons)


def paragraphs(text: str) -> list[str]:
    """The text's paragraphs (blocks between blank lines), as `after_paragraph` counts them."""
    return [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]


def in_reading_order(content: str, media: list[dict[str, Any]]) -> list[str | dict[str, Any]]:
    """The content's paragraphs with each media item after the paragraph it follows (an item
    placed past the last paragraph goes at the end)."""
    blocks = paragraphs(content)
    out: list[str | dict[str, Any]] = []
    for index in range(len(blocks) + 1):
        out += [m for m in media if min(int(m.get("after_paragraph", 0)), len(blocks)) == index]
        if index < len(blocks):
            out.append(blocks[index])
    return out
