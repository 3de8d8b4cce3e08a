# Every value of the root module lives here (the local stack reads this file
# too: keep values literal, one top-level attribute each).

region     = "eu-west-1"
project    = "csv2ddb"
account_id = null
tags       = {}

table = {
  name           = "csv2ddb-items"
  hash_key       = { name = "ID", type = "N" }
  range_key      = null
  billing_mode   = "PROVISIONED"
  read_capacity  = 5
  write_capacity = 5
}
table_autoscaling = {
  enabled = false
  read    = { min_capacity = 5, max_capacity = 100, target_utilization = 70 }
  write   = { min_capacity = 5, max_capacity = 100, target_utilization = 70 }
}
table_deletion_protection = false

upload_prefix          = "incoming/"
report_prefix          = "reports/"
rejected_prefix        = "rejected/"
type_mode              = "infer"
continuation_margin_ms = 60000
write_concurrency      = 16
max_write_attempts     = 10
log_level              = "INFO"

lambda_zip_path               = "../dist/lambda.zip"
lambda_memory_mb              = 1024
lambda_timeout_s              = 900
lambda_reserved_concurrency   = null
lambda_log_format             = "Text"
lambda_recursive_loop         = "Allow"
lambda_maximum_retry_attempts = 2
lambda_maximum_event_age_s    = 21600
log_retention_days            = 30
failure_queue_retention_s     = 1209600

# A JSON file relative to infra/, e.g. "schema.json"; null for no schema.
schema_file = null
schema_key  = "config/schema.json"

alarm_email = null

force_destroy                      = false
noncurrent_version_expiration_days = 30
