#!/usr/bin/env bash
# Build the Lambda package and deploy the stack with Terraform.
#
# Usage: bash scripts/deploy.sh [terraform apply arguments, e.g. -auto-approve]
# Needs Node.js, Terraform >= 1.6 and AWS credentials (any method the AWS CLI
# accepts: AWS_PROFILE, environment variables, SSO, an instance role, ...).
# Settings live in infra/terraform.tfvars.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

command -v terraform >/dev/null 2>&1 || {
  echo "deploy: terraform is not installed (need >= 1.6)" >&2
  exit 1
}

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
