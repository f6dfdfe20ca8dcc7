#!/usr/bin/env bash
# The embedded default: moto on 127.0.0.1:4566, resources, keys, chalice local on :8000.
# Other ports: MOTO_PORT=4567 API_PORT=8001 make run
set -euo pipefail
cd "$(dirname "$0")/.."

MOTO_PORT="${MOTO_PORT:-4566}"
API_PORT="${API_PORT:-8000}"
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-testing}"
export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-testing}"
export AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-cn-north-1}"
export AWS_REGION="$AWS_DEFAULT_REGION"
export AWS_ENDPOINT_URL="http://127.0.0.1:${MOTO_PORT}"
export STAGE=local TABLE_PREFIX=award-registry-local
# Links (QR code, feed, OpenAPI servers) are built from this address only; set it to the
# address others reach this server at (e.g. across a LAN) before `make run`.
export PUBLIC_BASE_URL="${PUBLIC_BASE_URL:-http://127.0.0.1:${API_PORT}}"
# Created in the emulator by `cli bootstrap`; the API reads it from Secrets Manager as in the cloud.
export SERVER_SECRET_ARN=award-registry-local-server-secret

python -m devtools.local_aws --host 127.0.0.1 --port "$MOTO_PORT" &
MOTO_PID=$!
trap 'kill "$MOTO_PID" 2>/dev/null || true; wait "$MOTO_PID" 2>/dev/null || true' EXIT INT TERM
python -c "from devtools.local_aws import wait_until_ready; wait_until_ready('$AWS_ENDPOINT_URL')"

python -m chalicelib.cli bootstrap >/dev/null
# chalice local runs no SQS event sources: this worker polls the imports queue instead.
python -m devtools.import_worker &
WORKER_PID=$!
trap 'kill "$WORKER_PID" "$MOTO_PID" 2>/dev/null || true; wait "$WORKER_PID" "$MOTO_PID" 2>/dev/null || true' EXIT INT TERM
key_of() { python -c 'import json, sys; print(json.load(sys.stdin)["api_key"])'; }
ADMIN=$(python -m chalicelib.cli issue-key --admin | key_of)
PROVINCE=$(python -m chalicelib.cli issue-key --authority 110000 | key_of)
echo
echo "Award Registry is running on http://127.0.0.1:${API_PORT} (AWS emulator on ${AWS_ENDPOINT_URL})"
echo "Demo admin key:             ${ADMIN}"
echo "Demo Beijing (110000) key:  ${PROVINCE}"
echo "Spreadsheet imports (POST /v1/imports) are worked by a local queue worker."
echo "Ctrl-C stops everything."
echo
# No DynamoDB stream locally: this worker polls the change feed into the search index.
python -m devtools.search_worker &
SEARCH_PID=$!
# No stream nor schedule locally: this worker fans the change feed out to webhook subscribers.
python -m devtools.webhook_worker &
WEBHOOK_PID=$!
trap 'kill "$WEBHOOK_PID" "$SEARCH_PID" "$WORKER_PID" "$MOTO_PID" 2>/dev/null || true; wait "$WEBHOOK_PID" "$SEARCH_PID" "$WORKER_PID" "$MOTO_PID" 2>/dev/null || true' EXIT INT TERM
# No autoreload: a file written in the repository (the README walkthrough once did) would
# restart the API and reset the requests in flight.
python -m devtools.chalice_local --stage local --host 127.0.0.1 --port "$API_PORT" --no-autoreload
