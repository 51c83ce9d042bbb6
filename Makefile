# The two commands: `make run` and `make test` (see README.md).
SHELL := /bin/bash

.PHONY: run test bootstrap services stop lint format bench

run: bootstrap
	scripts/run.sh

test: bootstrap
	scripts/test.sh

bootstrap:
	scripts/bootstrap.sh

services:
	scripts/services.sh start

stop:
	scripts/services.sh stop

lint:
	.venv/bin/ruff check .

format:
	.venv/bin/ruff format .
