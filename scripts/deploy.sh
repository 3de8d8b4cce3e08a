#!/usr/bin/env bash
# Build the Lambda package and deploy the stack with Terraform.
#
# Usage: bash scripts/deploy.sh [terraform apply arguments, e.g. -auto-approve]
# Needs Node.js, Terraform >= 1.9 and AWS credentials (any method the AWS CLI
# accepts: AWS_PROFILE, environment variables, SSO, an instance role, ...).
# Settings live in infra/terraform.tfvars.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

command -v terraform >/dev/null 2>&1 || {
  echo "deploy: terraform is not installed (need >= 1.9)" >&2
  exit 1
}

# Credentials first: a build and an init are wasted when apply cannot reach AWS.
no_credentials() {
  cat >&2 <<'TEXT'
deploy: no AWS credentials found. Give Terraform some before deploying, e.g.
  export AWS_PROFILE=my-profile        (a profile in ~/.aws/config; `aws configure` or `aws configure sso` writes one)
  aws sso login --profile my-profile   (when that profile uses IAM Identity Center)
  export AWS_ACCESS_KEY_ID=… AWS_SECRET_ACCESS_KEY=… [AWS_SESSION_TOKEN=…]
Then run `npm run deploy` again. To try csv2ddb without an AWS account: `npm start` (the local stack).
TEXT
  exit 1
}
if command -v aws >/dev/null 2>&1; then
  echo "==> aws sts get-caller-identity"
  aws sts get-caller-identity --query Arn --output text || no_credentials
elif [ -z "${AWS_ACCESS_KEY_ID:-}" ] && [ -z "${AWS_PROFILE:-}" ] && [ -z "${AWS_WEB_IDENTITY_TOKEN_FILE:-}" ] &&
  [ -z "${AWS_CONTAINER_CREDENTIALS_FULL_URI:-}" ] && [ -z "${AWS_CONTAINER_CREDENTIALS_RELATIVE_URI:-}" ] &&
  [ ! -s "${AWS_SHARED_CREDENTIALS_FILE:-$HOME/.aws/credentials}" ] && [ ! -s "${AWS_CONFIG_FILE:-$HOME/.aws/config}" ]; then
  # Without the AWS CLI only the usual places can be looked at (an instance role is not seen here).
  no_credentials
fi

echo "==> npm run build"
npm run build
[ -f dist/lambda.zip ] || {
  echo "deploy: npm run build did not write dist/lambda.zip" >&2
  exit 1
}

echo "==> terraform init"
terraform -chdir=infra init -input=false

echo "==> terraform apply"
terraform -chdir=infra apply "$@"

bucket="$(terraform -chdir=infra output -raw source_bucket_name 2>/dev/null || true)"
prefix="$(terraform -chdir=infra output -raw upload_prefix 2>/dev/null || true)"
report_prefix="$(terraform -chdir=infra output -raw report_prefix 2>/dev/null || true)"
if [ -n "$bucket" ]; then
  echo
  echo "Upload a file:   aws s3 cp data.csv s3://$bucket/$prefix"
  echo "Read its report: aws s3 cp s3://$bucket/${report_prefix}data.csv.json -"
fi
