variable "region" {
  description = "AWS region to deploy to."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must be an AWS region name such as eu-west-1."
  }
}

variable "project" {
  description = "Name prefix of every resource; bucket names add the account id and region to it."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,18}[a-z0-9]$", var.project))
    error_message = "project must be 3-20 characters of lowercase letters, digits and '-', starting with a letter (it goes into bucket names)."
  }
}

variable "account_id" {
  description = "AWS account id; null reads it from the credentials (sts:GetCallerIdentity). Set it to plan without reaching AWS."
  type        = string
  default     = null

  validation {
    condition     = var.account_id == null || can(regex("^[0-9]{12}$", coalesce(var.account_id, "-")))
    error_message = "account_id must be null or a 12-digit AWS account id."
  }
}

variable "tags" {
  description = "Tags added to every resource (besides Project and ManagedBy)."
  type        = map(string)
  default     = {}
}

variable "table" {
  description = "The DynamoDB table: name, partition key, optional sort key (name and type S, N or B each), billing mode and provisioned capacities (ignored with PAY_PER_REQUEST)."
  type = object({
    name = string
    hash_key = object({
      name = string
      type = string
    })
    range_key = optional(object({
      name = string
      type = string
    }))
    billing_mode   = optional(string, "PROVISIONED")
    read_capacity  = optional(number, 5)
    write_capacity = optional(number, 5)
  })

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{3,255}$", var.table.name))
    error_message = "table.name must be 3-255 characters of letters, digits, '_', '-' and '.'."
  }

  validation {
    condition     = contains(["S", "N", "B"], var.table.hash_key.type) && (var.table.range_key == null || contains(["S", "N", "B"], try(var.table.range_key.type, "")))
    error_message = "table.hash_key.type and table.range_key.type must be S, N or B."
  }

  validation {
    condition     = length(var.table.hash_key.name) > 0 && (var.table.range_key == null || try(var.table.range_key.name != var.table.hash_key.name && length(var.table.range_key.name) > 0, false))
    error_message = "table.hash_key.name and table.range_key.name must be non-empty and different."
  }

  validation {
    condition     = contains(["PROVISIONED", "PAY_PER_REQUEST"], var.table.billing_mode)
    error_message = "table.billing_mode must be PROVISIONED or PAY_PER_REQUEST."
  }

  validation {
    condition = alltrue([
      for c in [var.table.read_capacity, var.table.write_capacity] : c >= 1 && floor(c) == c
    ])
    error_message = "table.read_capacity and table.write_capacity must be whole numbers of at least 1."
  }
}

variable "table_autoscaling" {
  description = "Target-tracking autoscaling of the table's read and write capacity (PROVISIONED mode only): enabled, and per direction min_capacity, max_capacity and target_utilization (percent)."
  type = object({
    enabled = optional(bool, false)
    read = optional(object({
      min_capacity       = optional(number, 5)
      max_capacity       = optional(number, 100)
      target_utilization = optional(number, 70)
    }), {})
    write = optional(object({
      min_capacity       = optional(number, 5)
      max_capacity       = optional(number, 100)
      target_utilization = optional(number, 70)
    }), {})
  })
  default = {}
}

variable "table_deletion_protection" {
  description = "Deletion protection of the table (turn it off before `terraform destroy`)."
  type        = bool
  default     = false
}

variable "upload_prefix" {
  description = "UPLOAD_PREFIX: only objects under it invoke the function and are processed. Empty: the whole bucket (the function's own output is still never processed). Need not end in '/': keys are prefix + rest."
  type        = string
  default     = "incoming/"

  validation {
    condition     = !can(regex("[*?$]", var.upload_prefix))
    error_message = "upload_prefix must not contain '*', '?' or '$': in the IAM policies they are wildcards or variables and would widen the grants."
  }
}

variable "report_prefix" {
  description = "REPORT_PREFIX: key prefix of the per-file reports; non-empty, and must not hold upload_prefix."
  type        = string
  default     = "reports/"

  validation {
    condition     = length(var.report_prefix) > 0 && !can(regex("[*?$]", var.report_prefix))
    error_message = "report_prefix must not be empty (every key would be under it, so no upload would ever be processed) and must not contain '*', '?' or '$' (IAM wildcards and variables)."
  }

  validation {
    condition     = !startswith(var.upload_prefix, var.report_prefix)
    error_message = "report_prefix must not hold upload_prefix: keys under an output prefix are never processed, so no upload would ever be."
  }
}

variable "rejected_prefix" {
  description = "REJECTED_PREFIX: key prefix of the rejected-rows files; non-empty, and must not hold upload_prefix."
  type        = string
  default     = "rejected/"

  validation {
    condition     = length(var.rejected_prefix) > 0 && !can(regex("[*?$]", var.rejected_prefix))
    error_message = "rejected_prefix must not be empty (every key would be under it, so no upload would ever be processed) and must not contain '*', '?' or '$' (IAM wildcards and variables)."
  }

  validation {
    condition     = !startswith(var.upload_prefix, var.rejected_prefix)
    error_message = "rejected_prefix must not hold upload_prefix: keys under an output prefix are never processed, so no upload would ever be."
  }
}

variable "type_mode" {
  description = "TYPE_MODE: infer (numbers and booleans are typed) or string (every non-key field is S)."
  type        = string
  default     = "infer"

  validation {
    condition     = contains(["infer", "string"], var.type_mode)
    error_message = "type_mode must be infer or string."
  }
}

variable "continuation_margin_ms" {
  description = "CONTINUATION_MARGIN_MS: when less time than this is left in an invocation, the file continues in a new one (1000 to 900000, below lambda_timeout_s)."
  type        = number
  default     = 60000

  validation {
    condition     = var.continuation_margin_ms >= 1000 && var.continuation_margin_ms <= 900000 && floor(var.continuation_margin_ms) == var.continuation_margin_ms
    error_message = "continuation_margin_ms must be a whole number from 1000 to 900000 (below a second the writes in flight cannot drain before the deadline)."
  }

  validation {
    condition     = var.continuation_margin_ms < var.lambda_timeout_s * 1000
    error_message = "continuation_margin_ms must be below lambda_timeout_s, or every invocation would hand its file over before reading a row."
  }
}

variable "write_concurrency" {
  description = "WRITE_CONCURRENCY: BatchWriteItem calls in flight (1 to 64)."
  type        = number
  default     = 16

  validation {
    condition     = var.write_concurrency >= 1 && var.write_concurrency <= 64 && floor(var.write_concurrency) == var.write_concurrency
    error_message = "write_concurrency must be a whole number from 1 to 64."
  }
}

variable "max_write_attempts" {
  description = "MAX_WRITE_ATTEMPTS: attempts per batch (unprocessed items retried with backoff) before the invocation fails (1 to 100)."
  type        = number
  default     = 10

  validation {
    condition     = var.max_write_attempts >= 1 && var.max_write_attempts <= 100 && floor(var.max_write_attempts) == var.max_write_attempts
    error_message = "max_write_attempts must be a whole number from 1 to 100."
  }
}

variable "log_level" {
  description = "LOG_LEVEL of the function: TRACE, DEBUG, INFO, WARN, ERROR, CRITICAL or SILENT."
  type        = string
  default     = "INFO"

  validation {
    condition     = contains(["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "CRITICAL", "SILENT"], var.log_level)
    error_message = "log_level must be TRACE, DEBUG, INFO, WARN, ERROR, CRITICAL or SILENT."
  }
}

variable "lambda_zip_path" {
  description = "The deployment package written by `npm run build`, relative to this directory (infra/)."
  type        = string
  default     = "../dist/lambda.zip"

  validation {
    condition     = endswith(var.lambda_zip_path, ".zip")
    error_message = "lambda_zip_path must name a .zip file."
  }
}

variable "lambda_memory_mb" {
  description = "Memory of the function in MB (128 to 10240; CPU grows with it)."
  type        = number
  default     = 1024

  validation {
    condition     = var.lambda_memory_mb >= 128 && var.lambda_memory_mb <= 10240 && floor(var.lambda_memory_mb) == var.lambda_memory_mb
    error_message = "lambda_memory_mb must be a whole number from 128 to 10240."
  }
}

variable "lambda_timeout_s" {
  description = "Timeout of one invocation in seconds (1 to 900); must be longer than continuation_margin_ms."
  type        = number
  default     = 900

  validation {
    condition     = var.lambda_timeout_s >= 1 && var.lambda_timeout_s <= 900 && floor(var.lambda_timeout_s) == var.lambda_timeout_s
    error_message = "lambda_timeout_s must be a whole number of seconds from 1 to 900."
  }
}

variable "lambda_reserved_concurrency" {
  description = "Reserved concurrent executions of the function; null for none."
  type        = number
  default     = null

  validation {
    condition     = var.lambda_reserved_concurrency == null || try(var.lambda_reserved_concurrency >= 1 && floor(var.lambda_reserved_concurrency) == var.lambda_reserved_concurrency, false)
    error_message = "lambda_reserved_concurrency must be null or a whole number of at least 1."
  }
}

variable "lambda_log_format" {
  description = "Lambda log format: Text or JSON."
  type        = string
  default     = "Text"

  validation {
    condition     = contains(["Text", "JSON"], var.lambda_log_format)
    error_message = "lambda_log_format must be Text or JSON."
  }
}

variable "lambda_recursive_loop" {
  description = "Lambda's recursive loop detection for the function: Allow (default) or Terminate. Files continue in asynchronous invocations of the same function, which Lambda stops after about 16 unless this is Allow; Terminate guards against runaway loops but caps a file at about 16 invocations (the function also has its own no-progress guard)."
  type        = string
  default     = "Allow"

  validation {
    condition     = contains(["Allow", "Terminate"], var.lambda_recursive_loop)
    error_message = "lambda_recursive_loop must be Allow or Terminate."
  }
}

variable "lambda_maximum_retry_attempts" {
  description = "Times Lambda retries a failed asynchronous invocation (0 to 2) before it goes to the failure queue."
  type        = number
  default     = 2

  validation {
    condition     = contains([0, 1, 2], var.lambda_maximum_retry_attempts)
    error_message = "lambda_maximum_retry_attempts must be 0, 1 or 2."
  }
}

variable "lambda_maximum_event_age_s" {
  description = "Age in seconds (60 to 21600) after which Lambda gives up on an event and sends it to the failure queue."
  type        = number
  default     = 21600

  validation {
    condition     = var.lambda_maximum_event_age_s >= 60 && var.lambda_maximum_event_age_s <= 21600 && floor(var.lambda_maximum_event_age_s) == var.lambda_maximum_event_age_s
    error_message = "lambda_maximum_event_age_s must be a whole number from 60 to 21600."
  }
}

variable "log_retention_days" {
  description = "Days CloudWatch Logs keeps the function's logs (one of CloudWatch's values)."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "failure_queue_retention_s" {
  description = "How long the failure queue keeps a failed event, in seconds (60 to 1209600 = 14 days)."
  type        = number
  default     = 1209600

  validation {
    condition     = var.failure_queue_retention_s >= 60 && var.failure_queue_retention_s <= 1209600 && floor(var.failure_queue_retention_s) == var.failure_queue_retention_s
    error_message = "failure_queue_retention_s must be a whole number from 60 to 1209600."
  }
}

variable "schema_file" {
  description = "Optional column schema: a JSON file, relative to this directory (infra/), uploaded to the source bucket at schema_key and named by SCHEMA_S3_KEY. null for no schema."
  type        = string
  default     = null

  validation {
    # file() resolves relative paths against the working directory, which is
    # infra/ for `terraform -chdir=infra …` and for `terraform test`.
    condition     = var.schema_file == null || can(keys(jsondecode(file(coalesce(var.schema_file, "-")))))
    error_message = "schema_file must be null or a readable file holding a JSON object."
  }

  validation {
    # Its `write` block decides the role's DynamoDB actions (write_modes.tf).
    condition = var.schema_file == null || try(jsondecode(file(coalesce(var.schema_file, "-"))).write, null) == null || can(regex(
      "^(put:(none|absent|newer)|upsert:(none|absent|newer)|delete:(none|newer))$",
      "${coalesce(try(jsondecode(file(coalesce(var.schema_file, "-"))).write.mode, null), "put")}:${coalesce(try(jsondecode(file(coalesce(var.schema_file, "-"))).write.condition, null), "none")}",
    ))
    error_message = "schema_file's write block must have mode put, upsert or delete and condition none, absent or newer (not delete with absent)."
  }
}

variable "write_modes" {
  description = "Write modes the function may use (docs/write-modes.md): put, upsert or delete, each optionally :absent or :newer (not delete:absent). They decide the execution role's DynamoDB actions on the tables: BatchWriteItem for put and delete, PartiQLInsert, PartiQLUpdate or PartiQLDelete for the others. The modes that schema_file and the datasets' schema files ask for are added to these."
  type        = list(string)
  default     = ["put"]

  validation {
    condition     = alltrue([for m in var.write_modes : can(regex("^(put|upsert|delete)(:(absent|newer))?$", m))])
    error_message = "write_modes may only hold put, upsert and delete, each optionally followed by :absent or :newer (e.g. [\"put\", \"upsert:newer\"])."
  }

  validation {
    condition     = !contains(var.write_modes, "delete:absent")
    error_message = "write_modes must not hold delete:absent: a delete cannot be insert-only (use delete or delete:newer)."
  }
}

variable "schema_key" {
  description = "Key of the schema object in the source bucket, used when schema_file is set; outside the report and rejected prefixes, and not a .csv/.tsv key (it must not invoke the function)."
  type        = string
  default     = "config/schema.json"

  validation {
    condition     = length(var.schema_key) > 0 && !startswith(var.schema_key, "/") && !endswith(var.schema_key, "/") && !can(regex("[*?$]", var.schema_key))
    error_message = "schema_key must be a plain object key (no leading or trailing '/', no '*', '?' or '$')."
  }

  validation {
    condition     = !startswith(var.schema_key, var.report_prefix) && !startswith(var.schema_key, var.rejected_prefix) && !can(regex("\\.(csv|tsv)(\\.gz)?$", var.schema_key))
    error_message = "schema_key must lie outside report_prefix and rejected_prefix and must not end in .csv, .csv.gz, .tsv or .tsv.gz: the function must neither overwrite it nor be invoked by it."
  }
}

variable "alarm_email" {
  description = "E-mail address subscribed to the alarm topic; null for no subscription."
  type        = string
  default     = null

  validation {
    condition     = var.alarm_email == null || can(regex("^[^@[:space:]]+@[^@[:space:]]+\\.[^@[:space:]]+$", coalesce(var.alarm_email, "-")))
    error_message = "alarm_email must be null or an e-mail address."
  }
}

variable "force_destroy" {
  description = "Let `terraform destroy` delete the buckets with everything in them (all object versions)."
  type        = bool
  default     = false
}

variable "noncurrent_version_expiration_days" {
  description = "Days after which overwritten or deleted object versions are removed from the buckets."
  type        = number
  default     = 30

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1 && floor(var.noncurrent_version_expiration_days) == var.noncurrent_version_expiration_days
    error_message = "noncurrent_version_expiration_days must be a whole number of at least 1."
  }
}

variable "existing_table_name" {
  description = "Load into an existing DynamoDB table (in this account and region) instead of creating one: no table is planned, the function's role is scoped to that table. table.hash_key and table.range_key must then describe its key schema (checked at plan; the local stack builds its stand-in from them); table.name and the capacities are not used. null creates var.table."
  type        = string
  default     = null

  validation {
    condition     = var.existing_table_name == null || can(regex("^[A-Za-z0-9_.-]{3,255}$", coalesce(var.existing_table_name, "-")))
    error_message = "existing_table_name must be null or a DynamoDB table name (3-255 characters of letters, digits, '_', '-' and '.')."
  }
}

variable "existing_bucket_name" {
  description = "Serve an existing bucket (in this account) instead of creating the source bucket. Its event notification configuration is then replaced: see existing_bucket_notifications. null creates the bucket."
  type        = string
  default     = null

  validation {
    condition     = var.existing_bucket_name == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", coalesce(var.existing_bucket_name, "-")))
    error_message = "existing_bucket_name must be null or an S3 bucket name."
  }
}

variable "existing_bucket_notifications" {
  description = "Must be \"replace\" when existing_bucket_name is set: S3 keeps one notification configuration per bucket, and Terraform's aws_s3_bucket_notification owns all of it, so applying replaces every notification the bucket has today (other Lambda functions, queues, topics). Move those into this stack first, or use a bucket of its own."
  type        = string
  default     = null

  validation {
    condition     = var.existing_bucket_notifications == null || var.existing_bucket_notifications == "replace"
    error_message = "existing_bucket_notifications must be null or \"replace\"."
  }

  validation {
    condition     = var.existing_bucket_name == null || var.existing_bucket_notifications == "replace"
    error_message = "existing_bucket_name is set: applying replaces the bucket's whole event notification configuration (Terraform's aws_s3_bucket_notification owns all of it; hashicorp/terraform-provider-aws#501), deleting any notification it has today. Check with `aws s3api get-bucket-notification-configuration --bucket <name>`; when it is empty or you have moved its notifications here, set existing_bucket_notifications = \"replace\"."
  }
}

variable "ledger_enabled" {
  description = "Create the file ledger table (LEDGER_TABLE: the newest upload of a key wins, events once, shared capacity). false runs without it: each event is processed as it comes."
  type        = bool
  default     = true
}

variable "datasets" {
  description = "Several feeds, one function (DATASETS): sub-prefix of upload_prefix (ending in '/') to { table = a new table's definition (as var.table) | existing_table_name = an existing table's name, schema_file = optional JSON file relative to infra/, schema_key = optional key it is uploaded to (default config/datasets/<sub-prefix>schema.json) }. Keys matching no dataset go to the default table."
  type = map(object({
    table = optional(object({
      name = string
      hash_key = object({
        name = string
        type = string
      })
      range_key = optional(object({
        name = string
        type = string
      }))
      billing_mode   = optional(string, "PROVISIONED")
      read_capacity  = optional(number, 5)
      write_capacity = optional(number, 5)
    }))
    existing_table_name = optional(string)
    schema_file         = optional(string)
    schema_key          = optional(string)
  }))
  default = {}

  validation {
    condition     = alltrue([for k, d in var.datasets : endswith(k, "/") && (var.upload_prefix == "" || !startswith(k, var.upload_prefix)) && !can(regex("[*?$]", k))])
    error_message = "Each datasets key must be a sub-prefix of upload_prefix ending in '/', written after it (\"orders/\", not \"incoming/orders/\"), without '*', '?' or '$'."
  }

  validation {
    condition     = alltrue([for k, d in var.datasets : (d.table == null) != (d.existing_table_name == null)])
    error_message = "Each dataset needs either table (a new table's definition) or existing_table_name, not both."
  }

  validation {
    condition = alltrue([for k, d in var.datasets : d.table == null || try(
      can(regex("^[A-Za-z0-9_.-]{3,255}$", d.table.name)) &&
      contains(["S", "N", "B"], d.table.hash_key.type) &&
      (d.table.range_key == null ? true : (contains(["S", "N", "B"], d.table.range_key.type) && d.table.range_key.name != d.table.hash_key.name)) &&
      contains(["PROVISIONED", "PAY_PER_REQUEST"], d.table.billing_mode) &&
      d.table.read_capacity >= 1 && d.table.write_capacity >= 1,
    false)])
    error_message = "Each dataset's table must be a valid definition: name of 3-255 characters, key types S, N or B, a sort key unlike the partition key, billing_mode PROVISIONED or PAY_PER_REQUEST, capacities of at least 1."
  }

  validation {
    condition     = alltrue([for k, d in var.datasets : d.existing_table_name == null || can(regex("^[A-Za-z0-9_.-]{3,255}$", coalesce(d.existing_table_name, "-")))])
    error_message = "Each dataset's existing_table_name must be a DynamoDB table name."
  }

  validation {
    # Relative paths are read from the working directory: infra/ for `terraform -chdir=infra` and `terraform test`.
    condition     = alltrue([for k, d in var.datasets : d.schema_file == null || can(keys(jsondecode(file(coalesce(d.schema_file, "-")))))])
    error_message = "Each dataset's schema_file must be null or a readable file holding a JSON object."
  }

  validation {
    # Its `write` block decides the role's DynamoDB actions (write_modes.tf).
    condition = alltrue([for k, d in var.datasets : d.schema_file == null || try(jsondecode(file(coalesce(d.schema_file, "-"))).write, null) == null || can(regex(
      "^(put:(none|absent|newer)|upsert:(none|absent|newer)|delete:(none|newer))$",
      "${coalesce(try(jsondecode(file(coalesce(d.schema_file, "-"))).write.mode, null), "put")}:${coalesce(try(jsondecode(file(coalesce(d.schema_file, "-"))).write.condition, null), "none")}",
    ))])
    error_message = "Each dataset's schema_file's write block must have mode put, upsert or delete and condition none, absent or newer (not delete with absent)."
  }

  validation {
    condition = alltrue([for k, d in var.datasets : d.schema_key == null || (
      !startswith(coalesce(d.schema_key, "-"), var.report_prefix) && !startswith(coalesce(d.schema_key, "-"), var.rejected_prefix) &&
      !can(regex("(^/|/$|[*?$]|\\.(csv|tsv)(\\.gz)?$)", coalesce(d.schema_key, "-")))
    )])
    error_message = "Each dataset's schema_key must be a plain object key outside report_prefix and rejected_prefix, not ending in .csv, .csv.gz, .tsv or .tsv.gz."
  }
}

variable "uploader_policy_enabled" {
  description = "Create a managed IAM policy for the system that uploads: s3:PutObject (and multipart) under upload_prefix only, and reading the reports and rejected rows. Attach its ARN (output uploader_policy_arn) to that system's role or user."
  type        = bool
  default     = false
}

variable "dashboard_enabled" {
  description = "Create a CloudWatch dashboard of the pipeline (rows, files, throttles, capacity, errors, duration, failure queue); output dashboard_url."
  type        = bool
  default     = true
}
