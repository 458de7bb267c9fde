# graphsvc API image. Run it beside Neo4j with `docker compose up` (see compose.yaml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    GRAPHSVC_HOST=0.0.0.0 \
    GRAPHSVC_PORT=8000

WORKDIR /app

COPY pyproject.toml ./
COPY graphsvc/ ./graphsvc/
COPY cypher/ ./cypher/

# Editable on purpose: graphsvc/db/statements.py finds its statements at
# <package dir>/../cypher, i.e. /app/cypher. A plain `pip install .` would put the
# package in site-packages, where that path does not exist.
RUN pip install --no-cache-dir -e . \
    && useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin graphsvc

# /app stays owned by root: the service only reads its code and Cypher files.
USER graphsvc

EXPOSE 8000

# `graphsvc serve` reads GRAPHSVC_HOST / GRAPHSVC_PORT; Neo4j settings come from
# NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE (set in compose.yaml).
CMD ["graphsvc", "serve"]
