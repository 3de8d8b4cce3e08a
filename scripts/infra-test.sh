#!/usr/bin/env bash
# Offline checks of the Terraform in infra/: fmt, init, validate, terraform test,
# and a plan with the real AWS provider (no credentials, no network).
#
# The hashicorp/aws provider is taken from a local copy in the plugin directory
# layout (<dir>/registry.terraform.io/hashicorp/aws/<version>/<os>_<arch>/...),
# found at run time; TF_PROVIDER_MIRROR=<dir> names it explicitly. Everything
# runs on a copy of infra/ in a temporary directory, so no .terraform/ or lock
# file is left in the work tree.
#
# Usage: bash scripts/infra-test.sh [extra `terraform test` arguments]
# INFRA_TEST_SKIP_PLAN=1 skips the final real-provider plan.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
infra_dir="$repo_root/infra"
started=$SECONDS
export CHECKPOINT_DISABLE=1

fail() {
  echo "infra-test: $*" >&2
  exit 1
}

step() {
  echo
  echo "==> [$((SECONDS - started)) s] $*"
}

command -v terraform >/dev/null 2>&1 ||
  fail "terraform is not installed: the infrastructure tests need Terraform >= 1.11 (https://developer.hashicorp.com/terraform/install)."
# The tests use mock providers and override_during (Terraform 1.11).
tf_version="$(terraform version 2>/dev/null | sed -n 's/^Terraform v\([0-9][0-9.]*\).*/\1/p' | head -n 1)"
tf_major="${tf_version%%.*}"
tf_minor="${tf_version#*.}"
tf_minor="${tf_minor%%.*}"
if [ -z "$tf_version" ] || [ "$tf_major" -lt 1 ] || { [ "$tf_major" -eq 1 ] && [ "$tf_minor" -lt 11 ]; }; then
  fail "Terraform ${tf_version:-of unknown version} is too old: the infrastructure tests need >= 1.11."
fi

case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  *) os="$(uname -s | tr '[:upper:]' '[:lower:]')" ;;
esac
case "$(uname -m)" in
  x86_64 | amd64) arch=amd64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) arch="$(uname -m)" ;;
esac
platform="${os}_${arch}"

# Prints the plugin directory (the folder that holds registry.terraform.io/)
# of the first hashicorp/aws provider for this platform under the given roots.
find_mirror() {
  local root hit
  for root in "$@"; do
    [ -d "$root" ] || continue
    hit="$(timeout 60 find "$root" -xdev \
      \( -path "*/registry.terraform.io/hashicorp/aws/*/${platform}/terraform-provider-aws*" \
      -o -path "*/registry.terraform.io/hashicorp/aws/terraform-provider-aws_*_${platform}.zip" \) \
      -print -quit 2>/dev/null || true)"
    if [ -n "$hit" ]; then
      echo "${hit%%/registry.terraform.io/*}"
      return 0
    fi
  done
  return 1
}

step "locating the hashicorp/aws provider for $platform"
mirror=""
if [ "${TF_PROVIDER_ONLINE:-}" = 1 ]; then
  echo "TF_PROVIDER_ONLINE=1: the provider comes from the registry"
elif [ -n "${TF_PROVIDER_MIRROR:-}" ]; then
  mirror="$(find_mirror "$TF_PROVIDER_MIRROR")" ||
    fail "TF_PROVIDER_MIRROR=$TF_PROVIDER_MIRROR holds no registry.terraform.io/hashicorp/aws provider for $platform."
else
  roots=(
    "${TF_PLUGIN_CACHE_DIR:-}"
    /opt
    /usr/local/share
    /usr/share
    "$HOME/.terraform.d"
    "$HOME/.local/share/terraform"
    /usr/local/lib
  )
  mirror="$(find_mirror "${roots[@]}")" || mirror="$(find_mirror /)" ||
    fail "no local copy of the hashicorp/aws provider for $platform was found (searched ${roots[*]} and /). Set TF_PROVIDER_MIRROR to a directory laid out as registry.terraform.io/hashicorp/aws/<version>/$platform/."
fi
[ -z "$mirror" ] || echo "provider directory: $mirror"

work="$(mktemp -d "${TMPDIR:-/tmp}/csv2ddb-infra-test.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# The environment may point TF_CLI_CONFIG_FILE at a missing file; use an empty
# one, and keep Terraform from calling home.
: >"$work/terraformrc"
export TF_CLI_CONFIG_FILE="$work/terraformrc"
export TF_IN_AUTOMATION=1
export TF_INPUT=0
unset TF_DATA_DIR TF_WORKSPACE

step "terraform fmt -check -recursive infra"
terraform -chdir="$repo_root" fmt -check -recursive -diff infra

mkdir -p "$work/infra" "$work/dist"
(cd "$infra_dir" && tar --exclude='.terraform' --exclude='.terraform.lock.hcl' \
  --exclude='*.tfstate' --exclude='*.tfstate.*' --exclude='*override.tf' -cf - .) |
  (cd "$work/infra" && tar -xf -)
# The tests use their own stand-in package; the final plan uses the real one
# when it has been built.
if [ -f "$repo_root/dist/lambda.zip" ]; then
  cp "$repo_root/dist/lambda.zip" "$work/dist/lambda.zip"
fi

step "terraform init -backend=false ${mirror:+-plugin-dir=$mirror}"
terraform -chdir="$work/infra" init -backend=false ${mirror:+"-plugin-dir=$mirror"} -no-color >"$work/init.log" 2>&1 ||
  {
    cat "$work/init.log" >&2
    fail "terraform init failed"
  }
grep -E 'Installed|Installing|initialized' "$work/init.log" || true

step "terraform validate"
terraform -chdir="$work/infra" validate -no-color

step "terraform test"
terraform -chdir="$work/infra" test -no-color "$@"

if [ "${INFRA_TEST_SKIP_PLAN:-0}" != "1" ]; then
  step "terraform plan with the real provider (placeholder credentials, no network)"
  # The provider skips every call it makes when configured; account_id replaces
  # the only data source that calls AWS (aws_caller_identity).
  cat >"$work/infra/override.tf" <<'HCL'
provider "aws" {
  access_key                  = "placeholder"
  secret_key                  = "placeholder"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}
HCL
  AWS_ACCESS_KEY_ID=placeholder AWS_SECRET_ACCESS_KEY=placeholder \
    AWS_EC2_METADATA_DISABLED=true AWS_PROFILE='' AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
    terraform -chdir="$work/infra" plan -no-color -input=false -lock=false -refresh=false \
    -var account_id=123456789012 -out="$work/plan.tfplan" >"$work/plan.log" 2>&1 ||
    {
      cat "$work/plan.log" >&2
      fail "terraform plan with the real provider failed"
    }
  grep -E '^Plan:' "$work/plan.log" || true
  if grep -q 'Check block assertion failed' "$work/plan.log"; then
    echo "note: dist/lambda.zip is not built, so the plan warns that apply would fail (check \"lambda_package_built\")"
  fi
  if grep -E '^(Warning|Error):' "$work/plan.log" | grep -qv 'Check block assertion failed'; then
    cat "$work/plan.log" >&2
    fail "terraform plan with the real provider reported warnings"
  fi
fi

echo
echo "infra-test: all checks passed in $((SECONDS - started)) s"
