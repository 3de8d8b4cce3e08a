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
# Load into a table you already have instead (no table is created; keep
# table.hash_key/range_key equal to its key schema): e.g. "Orders".
existing_table_name = null

# Serve a bucket you already have instead of creating one. Applying replaces
# that bucket's whole event notification configuration: see infra/README.md,
# then set existing_bucket_notifications = "replace".
existing_bucket_name          = null
existing_bucket_notifications = null

# The file ledger table <project>-ledger (LEDGER_TABLE): newest upload wins,
# events processed once, shared capacity.
ledger_enabled = true

# Several feeds: sub-prefix of upload_prefix -> its own table, e.g.
# { "orders/" = { table = { name = "csv2ddb-orders", hash_key = { name = "OrderId", type = "S" } }, schema_file = "orders.json" },
#   "customers/" = { existing_table_name = "Customers" } }
datasets = {}

# upload_prefix may be "" (the whole bucket); the output prefixes must not be
# empty nor hold it. continuation_margin_ms: 1000-900000, below the timeout.
upload_prefix          = "incoming/"
report_prefix          = "reports/"
rejected_prefix        = "rejected/"
type_mode              = "infer"
continuation_margin_ms = 60000
write_concurrency      = 16
max_write_attempts     = 10
log_level              = "INFO"

# Lambda gives a vCPU per 1,769 MB: at 1,024 MB the function has 0.58 of one, and one thread; from
# about 2,654 MB (THREADS auto) a second thread signs and sends the writes while the first reads,
# for files that must reach a large table's cap (docs/scale.md, "Every vCPU"). A 5-WCU table needs neither.
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

# How rows may land (docs/write-modes.md): "put", "upsert", "delete", each
# optionally ":absent" or ":newer" (not "delete:absent"). The function's role
# gets only the DynamoDB actions these need: put and delete use BatchWriteItem,
# the others PartiQL. Modes that schema_file or a dataset's schema_file asks for
# are added; list here those of schemas put into S3 by other means.
write_modes = ["put"]

alarm_email = null

# A managed policy for the system that uploads (put under upload_prefix, read
# its reports and rejected rows): output uploader_policy_arn.
uploader_policy_enabled = false
# A CloudWatch dashboard of the pipeline: output dashboard_url.
dashboard_enabled = true

force_destroy                      = false
noncurrent_version_expiration_days = 30
