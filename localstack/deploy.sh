#!/usr/bin/env bash
# Deploys the dev stage to a running LocalStack (Docker, LOCALSTACK_AUTH_TOKEN, Base plan: see README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-test}" AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-test}"
export AWS_REGION="${AWS_REGION:-us-east-1}" CDK_DISABLE_CLI_TELEMETRY=true
npx cdklocal bootstrap "aws://000000000000/${AWS_REGION}"
npx cdklocal deploy -c stage=dev --require-approval never --outputs-file localstack/outputs.json
echo "Outputs in localstack/outputs.json; next: localstack/e2e.sh"
