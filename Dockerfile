# Genie HTTP service: `genie serve` on port 8000 (settings come from the environment).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY . .
RUN pip install . \
    && useradd --create-home --uid 10001 genie \
    && mkdir -p /app/data && chown genie /app/data

USER genie
EXPOSE 8000
CMD ["genie", "serve", "--host", "0.0.0.0", "--port", "8000"]
