# The few commands a contributor needs; CI (.ci/run) runs `make test`.
CARGO ?= cargo
PYTHON ?= python3

.PHONY: run test test-deps lint fmt demo console-vendor

## Build in release mode, load the demo park into ./parkhub-data when it is empty, serve on 127.0.0.1:8080.
run:
	$(CARGO) run --release --bin parkhub -- serve --demo

## Install the tools the tests use beside ParkHub, then run every test.
test: test-deps
	$(CARGO) test --workspace

## What the end-to-end tests use beside ParkHub: Python peers (deltalake reads the lake;
## SQLAlchemy, psycopg2, psycopg 3 and pandas speak to the Postgres wire), Debian's Chromium,
## ChromeDriver and a CJK font for the console's browser tests, psql, pgjdbc and a JDK, Node
## (as root), node-postgres from tests/clients/node/package-lock.json, and the servers the
## live-source tests start on their own ports (PostgreSQL 15, MariaDB, Mosquitto, their clients).
test-deps:
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -r tests/requirements.txt
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v chromedriver >/dev/null 2>&1 || missing="$$missing chromium-driver"; \
	fc-list 2>/dev/null | grep -qi "wenquanyi\|noto sans cjk" || missing="$$missing fonts-wqy-microhei"; \
	command -v psql >/dev/null 2>&1 || missing="$$missing postgresql-client"; \
	[ -f /usr/share/java/postgresql.jar ] || missing="$$missing libpostgresql-jdbc-java"; \
	command -v javac >/dev/null 2>&1 || missing="$$missing default-jdk-headless"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing nodejs npm"; \
	[ -x /usr/lib/postgresql/15/bin/postgres ] || missing="$$missing postgresql-15"; \
	[ -x /usr/sbin/mariadbd ] || missing="$$missing mariadb-server"; \
	command -v mariadb >/dev/null 2>&1 || missing="$$missing mariadb-client"; \
	[ -x /usr/sbin/mosquitto ] || missing="$$missing mosquitto"; \
	command -v mosquitto_pub >/dev/null 2>&1 || missing="$$missing mosquitto-clients"; \
	if [ -n "$$missing" ]; then \
		echo "installing$$missing with apt-get"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	cd tests/clients/node && npm ci --silent --no-audit --no-fund

## Refresh the console's vendored ECharts from the npm registry (pinned; see hub/console/vendor/echarts/README.md).
ECHARTS_VERSION ?= 6.0.0
console-vendor:
	rm -rf target/echarts-pack && mkdir -p target/echarts-pack
	cd target/echarts-pack && npm pack --silent echarts@$(ECHARTS_VERSION) && tar xzf echarts-$(ECHARTS_VERSION).tgz
	cp target/echarts-pack/package/dist/echarts.esm.min.mjs target/echarts-pack/package/LICENSE \
	   target/echarts-pack/package/NOTICE target/echarts-pack/package/licenses/LICENSE-d3 hub/console/vendor/echarts/

## Formatting and lints, as CI should see them.
lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

fmt:
	$(CARGO) fmt --all

## Fill ./parkhub-data with the default demo park (300 enterprises, 24 months, 90 days of hourly energy).
demo:
	$(CARGO) run --release --bin parkhub -- demo
