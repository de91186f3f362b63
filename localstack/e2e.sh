#!/usr/bin/env bash
# Runs the e2e suite against the stack localstack/deploy.sh deployed (see README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
outputs=localstack/outputs.json
[ -f "$outputs" ] || { echo "no $outputs: run localstack/deploy.sh first" >&2; exit 2; }
output() { node -e "const o=Object.values(require('./$outputs'))[0]; process.stdout.write(String(o['$1'] ?? ''))"; }
export E2E_CHARGER_URL="$(output ChargerUrl | sed 's#/{chargeBoxId}$##')"
export CSMS_TABLE="$(output CsmsTableName)" MESSAGE_LOG_TABLE="$(output MessageLogTableName)"
export PASSWORD_PEPPER_SECRET_ID="$(output PasswordPepperSecretId)"
export AWS_ENDPOINT_URL="${AWS_ENDPOINT_URL:-http://localhost.localstack.cloud:4566}"
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-test}" AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-test}" AWS_REGION="${AWS_REGION:-us-east-1}"
exec npx vitest run --project integration test/e2e
