# The few commands a contributor needs; CI (.ci/run) runs `make test`.
CARGO ?= cargo
PYTHON ?= python3

.PHONY: run test test-deps lint fmt demo

## Build in release mode, load the demo park into ./parkhub-data when it is empty, serve on 127.0.0.1:8080.
run:
	$(CARGO) run --release --bin parkhub -- serve --demo

## Install the tools the tests use beside ParkHub, then run every test.
test: test-deps
	$(CARGO) test --workspace

## The Python packages the end-to-end tests use as independent peers (deltalake reads the lake).
test-deps:
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -r tests/requirements.txt

## Formatting and lints, as CI should see them.
lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

fmt:
	$(CARGO) fmt --all

## Fill ./parkhub-data with the default demo park (300 enterprises, 24 months, 90 days of hourly energy).
demo:
	$(CARGO) run --release --bin parkhub -- demo
