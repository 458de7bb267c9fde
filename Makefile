# graphsvc: `make run` and `make test` do all the set-up themselves.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
JARS := .neo4j/lib/.fetched
# The TypeScript client's dev dependencies (tsc, openapi-typescript, @types/node), exactly as
# locked; its tests run inside `make test` (tests/test_typescript_client.py).
TS := clients/typescript
NODE_MODULES := $(TS)/node_modules/.package-lock.json

.PHONY: install run test test-routing soak bench bench-data bench-peers bench-scale postgres stop reset-db neo4j schema token clean

install: $(STAMP) $(JARS) $(NODE_MODULES)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $@

$(JARS): neo4j/pom.xml | $(STAMP)
	$(PY) -m graphsvc db fetch

$(NODE_MODULES): $(TS)/package.json $(TS)/package-lock.json
	cd $(TS) && npm ci --no-audit --no-fund
	touch $@

neo4j: install
	$(PY) -m graphsvc db start

run: neo4j
	$(PY) -m graphsvc serve

# Two processes, one per core; a file's tests stay in one of them (they share its fixtures).
PARALLEL ?= -n 2 --dist loadfile

test: install postgres
	$(PY) -m pytest $(PARALLEL) $(PYTEST_ARGS)

soak: install
	$(PY) -m pytest -m slow $(PYTEST_ARGS)

# The suite through the `neo4j://` routing scheme (routing table, READ/WRITE routing,
# bookmarks) against the local test Neo4j, as against a cluster (docs/scaling.md).
test-routing: install postgres
	GRAPHSVC_TEST_ROUTING=1 $(PY) -m pytest $(PARALLEL) $(PYTEST_ARGS)

# A deterministic synthetic org (PEOPLE=100000 by default) in the `bench` Neo4j
# instance, written through `graphsvc import`; then the benchmark against it. From
# OFFLINE_FROM people up the files are loaded by neo4j-admin instead (`graphsvc import
# --offline`, docs/scaling.md), which builds a new database: what `bench` held is replaced.
PEOPLE ?= 100000
OFFLINE_FROM ?= 500000
bench-data: install
	@if [ $(PEOPLE) -ge $(OFFLINE_FROM) ]; then \
	  set -e; \
	  $(PY) -m graphsvc generate --people $(PEOPLE) --no-import --out bench-data; \
	  $(PY) -m graphsvc import --offline --replace --instance bench --org bench bench-data/$(PEOPLE) \
	    --summary-json bench-data/$(PEOPLE)/import-summary.json; \
	else \
	  set -e; \
	  $(PY) -m graphsvc db start --instance bench; \
	  $(PY) -m graphsvc generate --people $(PEOPLE) --org bench --instance bench --out bench-data; \
	fi

bench: install
	$(PY) -m pip install -q -e '.[test,bench]'
	$(PY) -m graphsvc db start --instance bench
	$(PY) bench/bench.py --org bench --data bench-data/$(PEOPLE) $(BENCH_ARGS)

# The same run with the relational peer beside graphsvc: PostgreSQL 15 in .pg/bench
# (started from nothing, loaded with COPY from bench-data/$(PEOPLE)), answers checked on
# both stores before anything is timed, then API, Neo4j and PostgreSQL side by side.
bench-peers: install postgres
	$(PY) -m pip install -q -e '.[test,bench]'
	$(PY) -m graphsvc db start --instance bench
	$(PY) bench/bench.py --org bench --data bench-data/$(PEOPLE) --peers $(BENCH_ARGS)

# Debian's PostgreSQL 15 for the bench peer and its test (tests/test_peer_pg.py), when missing.
PG_BIN := /usr/lib/postgresql/15/bin
postgres:
	@test -x $(PG_BIN)/initdb || { \
	  if [ "$$(id -u)" != 0 ]; then echo "PostgreSQL 15 is missing: sudo apt-get install -y postgresql-15" >&2; exit 1; fi; \
	  apt-cache policy postgresql-15 | grep -q 'Candidate: [0-9]' || apt-get update; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql-15; }

# Every operation of `make bench` on a graph and on one ten times larger, same hub degree,
# interleaved, each behind its own API server (bench/scale.py): by default two more
# instances (bench-20000, bench-200000), generated and imported on first use; the 100k vs
# 1M comparison (docs/performance.md) names loaded instances instead:
#   make bench-scale SCALE_ARGS="--small-instance bench --small-data bench-data/100000 \
#     --large-instance bench-1000000 --large-data bench-data/hub12000/1000000"
bench-scale: install
	$(PY) -m pip install -q -e '.[test,bench]'
	$(PY) bench/scale.py $(SCALE_ARGS)

stop:
	-$(PY) -m graphsvc db stop
	-$(PY) -m graphsvc db stop --instance test
	-$(PY) bench/peer_pg.py stop --instance bench

reset-db: install
	$(PY) -m graphsvc db reset

token: install
	@$(PY) -m graphsvc token --sub $${SUB:-usr_alice} --org $${ORG:-my-org} --role $${ROLE:-customer}

clean: stop
	rm -rf $(VENV) .neo4j .pg $(TS)/node_modules $(TS)/build
