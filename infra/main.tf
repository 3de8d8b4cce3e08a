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

  # Relative paths are relative to this directory (infra/).
  lambda_zip_path = startswith(var.lambda_zip_path, "/") ? var.lambda_zip_path : "${path.root}/${var.lambda_zip_path}"
  schema_path     = var.schema_file == null ? null : (startswith(var.schema_file, "/") ? var.schema_file : "${path.root}/${var.schema_file}")
  schema_key      = var.schema_file == null ? null : var.schema_key
}

module "source_bucket" {
  source = "./modules/s3"

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

  name                = var.table.name
  hash_key            = var.table.hash_key
  range_key           = var.table.range_key
  billing_mode        = var.table.billing_mode
  read_capacity       = var.table.read_capacity
  write_capacity      = var.table.write_capacity
  autoscaling         = var.table_autoscaling
  deletion_protection = var.table_deletion_protection
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

  bucket       = module.source_bucket.s3_bucket_id
  key          = local.schema_key
  source_path  = local.schema_path
  content_type = "application/json"
}

module "execution_role" {
  source = "./modules/execution_role"

  role_name          = local.function_name
  account_id         = local.account_id
  function_name      = local.function_name
  source_bucket_name = local.source_bucket_name
  upload_prefix      = var.upload_prefix
  report_prefix      = var.report_prefix
  rejected_prefix    = var.rejected_prefix
  schema_object_key  = local.schema_key
  table_name         = module.table.dynamodb_table_name
  failure_queue_name = local.failure_queue_name
}

module "lambda_function" {
  source = "./modules/lambda_function"

  function_name = local.function_name
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

  table_name             = module.table.dynamodb_table_name
  source_bucket          = local.source_bucket_name
  upload_prefix          = var.upload_prefix
  report_prefix          = var.report_prefix
  rejected_prefix        = var.rejected_prefix
  type_mode              = var.type_mode
  continuation_margin_ms = var.continuation_margin_ms
  write_concurrency      = var.write_concurrency
  max_write_attempts     = var.max_write_attempts
  log_level              = var.log_level
  schema_s3_key          = local.schema_key

  failure_queue_name              = local.failure_queue_name
  failure_queue_retention_seconds = var.failure_queue_retention_s
  maximum_retry_attempts          = var.lambda_maximum_retry_attempts
  maximum_event_age_in_seconds    = var.lambda_maximum_event_age_s
  alarm_email                     = var.alarm_email
}

module "s3_notification" {
  source = "./modules/s3_notification"

  bucket_id               = module.source_bucket.s3_bucket_id
  bucket_arn              = module.source_bucket.s3_bucket_arn
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
