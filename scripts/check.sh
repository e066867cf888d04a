#!/usr/bin/env bash
# The one check command: lint, types, tests (README "开发与测试"; .ci/run calls it).
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check ingest index app evals tests scripts
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
