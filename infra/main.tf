data "aws_caller_identity" "current" {
  count = var.account_id == null ? 1 : 0
}

locals {
  account_id = var.account_id != null ? var.account_id : data.aws_caller_identity.current[0].account_id

  # Bucket names are global: the account and region make them unique without
  # a random suffix.
  name_suffix        = "${local.account_id}-${var.region}"
  source_bucket_name = "${var.project}-source-${local.name_suffix}"
  code_bucket_name   = "${var.project}-code-${local.name_suffix}"
  function_name      = "${var.project}-ingest"
  failure_queue_name = "${var.project}-ingest-failures"

  # An existing bucket keeps its name; only a created one gets the suffix.
  create_source_bucket = var.existing_bucket_name == null
  bucket_name          = local.create_source_bucket ? local.source_bucket_name : var.existing_bucket_name
  bucket_arn           = "arn:${data.aws_partition.current.partition}:s3:::${local.bucket_name}"

  # The default table: created from var.table, or an existing one read below.
  create_table = var.existing_table_name == null
  table_name   = local.create_table ? module.table[0].dynamodb_table_name : data.aws_dynamodb_table.existing[0].name
  table_arn    = local.create_table ? module.table[0].dynamodb_table_arn : data.aws_dynamodb_table.existing[0].arn

  ledger_name = "${var.project}-ledger"

  # Datasets: each names a table created here or an existing one, and maybe a schema object.
  new_dataset_tables      = { for k, d in var.datasets : k => d.table if d.table != null }
  existing_dataset_tables = { for k, d in var.datasets : k => d.existing_table_name if d.existing_table_name != null }
  dataset_schemas = {
    for k, d in var.datasets : k => {
      path = startswith(d.schema_file, "/") ? d.schema_file : "${path.root}/${d.schema_file}"
      key  = coalesce(d.schema_key, "config/datasets/${k}schema.json")
    } if d.schema_file != null
  }
  dataset_table_names = merge(
    { for k, m in module.dataset_table : k => m.dynamodb_table_name },
    { for k, t in data.aws_dynamodb_table.dataset : k => t.name },
  )
  dataset_table_arns = merge(
    { for k, m in module.dataset_table : k => m.dynamodb_table_arn },
    { for k, t in data.aws_dynamodb_table.dataset : k => t.arn },
  )
  datasets_setting = length(var.datasets) == 0 ? null : jsonencode({
    for k, d in var.datasets : k => merge(
      { table = local.dataset_table_names[k] },
      contains(keys(local.dataset_schemas), k) ? { schemaKey = local.dataset_schemas[k].key } : {},
    )
  })

  # Relative paths are relative to this directory (infra/).
  lambda_zip_path = startswith(var.lambda_zip_path, "/") ? var.lambda_zip_path : "${path.root}/${var.lambda_zip_path}"
  schema_path     = var.schema_file == null ? null : (startswith(var.schema_file, "/") ? var.schema_file : "${path.root}/${var.schema_file}")
  schema_key      = var.schema_file == null ? null : var.schema_key
}

data "aws_partition" "current" {}

locals {
  # Objects and notifications wait for a created bucket's settings (the module's output depends on them).
  source_bucket_id = local.create_source_bucket ? module.source_bucket[0].s3_bucket_id : var.existing_bucket_name
}

module "source_bucket" {
  source = "./modules/s3"
  count  = local.create_source_bucket ? 1 : 0

  bucket_name                        = local.source_bucket_name
  force_destroy                      = var.force_destroy
  noncurrent_version_expiration_days = var.noncurrent_version_expiration_days
}

module "code_bucket" {
  source = "./modules/s3"

  bucket_name                        = local.code_bucket_name
  force_destroy                      = var.force_destroy
  noncurrent_version_expiration_days = var.noncurrent_version_expiration_days
}

module "table" {
  source = "./modules/dynamodb_table"
  count  = local.create_table ? 1 : 0

  name                = var.table.name
  hash_key            = var.table.hash_key
  range_key           = var.table.range_key
  billing_mode        = var.table.billing_mode
  read_capacity       = var.table.read_capacity
  write_capacity      = var.table.write_capacity
  autoscaling         = var.table_autoscaling
  deletion_protection = var.table_deletion_protection
}

# An existing table: read, never planned; its key schema must be the one tfvars
# describes (the local stack builds its stand-in from var.table).
data "aws_dynamodb_table" "existing" {
  count = local.create_table ? 0 : 1
  name  = var.existing_table_name

  lifecycle {
    postcondition {
      condition     = self.hash_key == var.table.hash_key.name && (self.range_key == null ? "" : self.range_key) == (var.table.range_key == null ? "" : var.table.range_key.name)
      error_message = "The existing table ${var.existing_table_name} has partition key ${self.hash_key}${self.range_key == null ? "" : " and sort key ${self.range_key}"}: set table.hash_key and table.range_key in terraform.tfvars to its key schema (the local stack builds its stand-in from them)."
    }
  }
}

# The file ledger (LEDGER_TABLE): the function's own items, expiring by TTL.
module "ledger" {
  source = "./modules/dynamodb_table"
  count  = var.ledger_enabled ? 1 : 0

  name                = local.ledger_name
  hash_key            = { name = "pk", type = "S" }
  billing_mode        = "PAY_PER_REQUEST"
  ttl_attribute       = "expiresAt"
  deletion_protection = var.table_deletion_protection
}

module "dataset_table" {
  source   = "./modules/dynamodb_table"
  for_each = local.new_dataset_tables

  name                = each.value.name
  hash_key            = each.value.hash_key
  range_key           = each.value.range_key
  billing_mode        = each.value.billing_mode
  read_capacity       = each.value.read_capacity
  write_capacity      = each.value.write_capacity
  deletion_protection = var.table_deletion_protection
}

data "aws_dynamodb_table" "dataset" {
  for_each = local.existing_dataset_tables
  name     = each.value
}

module "dataset_schema" {
  source   = "./modules/s3_object"
  for_each = local.dataset_schemas

  bucket       = local.source_bucket_id
  key          = each.value.key
  source_path  = each.value.path
  content_type = "application/json"
}

module "lambda_code" {
  source = "./modules/s3_object"

  bucket       = module.code_bucket.s3_bucket_id
  key          = "${local.function_name}/lambda.zip"
  source_path  = local.lambda_zip_path
  content_type = "application/zip"
}

module "schema" {
  source = "./modules/s3_object"
  count  = var.schema_file == null ? 0 : 1

  bucket       = local.source_bucket_id
  key          = local.schema_key
  source_path  = local.schema_path
  content_type = "application/json"
}

module "execution_role" {
  source = "./modules/execution_role"

  role_name          = local.function_name
  account_id         = local.account_id
  function_name      = local.function_name
  source_bucket_name = local.bucket_name
  upload_prefix      = var.upload_prefix
  report_prefix      = var.report_prefix
  rejected_prefix    = var.rejected_prefix
  schema_object_keys = concat(local.schema_key == null ? [] : [local.schema_key], [for k, v in local.dataset_schemas : v.key])
  table_arns         = distinct(concat([local.table_arn], values(local.dataset_table_arns)))
  write_modes        = local.write_modes
  ledger_table_name  = var.ledger_enabled ? local.ledger_name : null
  failure_queue_name = local.failure_queue_name
}

module "lambda_function" {
  source = "./modules/lambda_function"

  function_name = local.function_name
  description   = "csv2ddb: CSV objects under s3://${local.bucket_name}/${var.upload_prefix} to items in ${local.table_name}"
  account_id    = local.account_id
  role_arn      = module.execution_role.execution_role_arn
  code = {
    s3_bucket         = module.lambda_code.s3_object_bucket
    s3_key            = module.lambda_code.s3_object_key
    s3_object_version = module.lambda_code.s3_object_version_id
    source_code_hash  = module.lambda_code.s3_object_source_base64sha256
  }
  memory_size          = var.lambda_memory_mb
  timeout              = var.lambda_timeout_s
  reserved_concurrency = var.lambda_reserved_concurrency
  log_retention_days   = var.log_retention_days
  log_format           = var.lambda_log_format
  recursive_loop       = var.lambda_recursive_loop

  # The settings, each validated once in variables.tf (as src/app/settings.ts checks them).
  environment_variables = merge(
    {
      TABLE_NAME             = local.table_name
      SOURCE_BUCKET          = local.bucket_name
      UPLOAD_PREFIX          = var.upload_prefix
      REPORT_PREFIX          = var.report_prefix
      REJECTED_PREFIX        = var.rejected_prefix
      TYPE_MODE              = var.type_mode
      CONTINUATION_MARGIN_MS = tostring(var.continuation_margin_ms)
      WRITE_CONCURRENCY      = tostring(var.write_concurrency)
      MAX_WRITE_ATTEMPTS     = tostring(var.max_write_attempts)
      LOG_LEVEL              = var.log_level
    },
    local.schema_key == null ? {} : { SCHEMA_S3_KEY = local.schema_key },
    var.ledger_enabled ? { LEDGER_TABLE = module.ledger[0].dynamodb_table_name } : {},
    local.datasets_setting == null ? {} : { DATASETS = local.datasets_setting },
  )

  failure_queue_name              = local.failure_queue_name
  failure_queue_retention_seconds = var.failure_queue_retention_s
  maximum_retry_attempts          = var.lambda_maximum_retry_attempts
  maximum_event_age_in_seconds    = var.lambda_maximum_event_age_s
  alarm_email                     = var.alarm_email
}

# S3 keeps one notification configuration per bucket and this resource owns all
# of it: on an existing bucket it replaces what is there (variables.tf makes
# existing_bucket_notifications = "replace" say so). One rule per suffix under
# upload_prefix covers every dataset, whose sub-prefixes lie under it.
module "s3_notification" {
  source = "./modules/s3_notification"

  bucket_id               = local.source_bucket_id
  bucket_arn              = local.bucket_arn
  bucket_owner_account_id = local.account_id
  function_name           = module.lambda_function.lambda_function_name
  function_arn            = module.lambda_function.lambda_function_arn
  upload_prefix           = var.upload_prefix
}

check "lambda_package_built" {
  assert {
    condition     = fileexists(local.lambda_zip_path)
    error_message = "${var.lambda_zip_path} (relative to infra/) does not exist: run `npm run build` before `terraform apply`, or the upload of the function code fails."
  }
}
