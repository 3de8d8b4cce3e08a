#!/usr/bin/env bash
# Remove the stack with `terraform destroy`.
#
# Usage: bash scripts/destroy.sh [--purge] [terraform arguments, e.g. -auto-approve]
#
# By default the data is protected: a bucket that still holds objects, or a
# table with deletion protection (infra/terraform.tfvars), makes destroy fail.
# --purge first applies force_destroy = true and table_deletion_protection =
# false to the buckets and the table, then destroys everything: every uploaded
# file, report, rejected-rows file and item is deleted.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

command -v terraform >/dev/null 2>&1 || {
  echo "destroy: terraform is not installed (need >= 1.6)" >&2
  exit 1
}

purge=0
args=()
for arg in "$@"; do
  if [ "$arg" = "--purge" ]; then
    purge=1
  else
    args+=("$arg")
  fi
done

terraform -chdir=infra init -input=false

if [ "$purge" = 1 ]; then
  purge_vars=(-var force_destroy=true -var table_deletion_protection=false)
  echo "==> lifting the data protection of the buckets and the table (--purge)"
  terraform -chdir=infra apply "${purge_vars[@]}" \
    -target=module.source_bucket -target=module.code_bucket -target=module.table \
    ${args[@]+"${args[@]}"}
  args=("${purge_vars[@]}" ${args[@]+"${args[@]}"})
fi

echo "==> terraform destroy"
terraform -chdir=infra destroy ${args[@]+"${args[@]}"}
