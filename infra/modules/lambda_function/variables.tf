variable "function_name" {
  description = "Name of the Lambda function (also names its log group, alarms, alarm topic and key alias)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,56}$", var.function_name))
    error_message = "function_name must be 1-56 characters of letters, digits, '-' and '_' (64 minus room for the alarm names' suffixes)."
  }
}

variable "account_id" {
  description = "Account that owns the function; the alarm topic's key policy delegates to it."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id must be a 12-digit AWS account id."
  }
}

variable "role_arn" {
  description = "ARN of the execution role."
  type        = string
}

variable "code" {
  description = "Where the deployment package is: bucket, key and version of the S3 object, and the package's base64 SHA-256 (null when the file is not built yet)."
  type = object({
    s3_bucket         = string
    s3_key            = string
    s3_object_version = optional(string)
    source_code_hash  = optional(string)
  })
}

variable "memory_size" {
  description = "Memory of the function in MB (CPU grows with it)."
  type        = number
  default     = 1024

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240 && floor(var.memory_size) == var.memory_size
    error_message = "memory_size must be a whole number of MB from 128 to 10240."
  }
}

variable "timeout" {
  description = "Timeout of one invocation in seconds; must be longer than continuation_margin_ms."
  type        = number
  default     = 900

  validation {
    condition     = var.timeout >= 1 && var.timeout <= 900 && floor(var.timeout) == var.timeout
    error_message = "timeout must be a whole number of seconds from 1 to 900."
  }
}

variable "reserved_concurrency" {
  description = "Reserved concurrent executions; null for none (the account's unreserved pool)."
  type        = number
  default     = null

  validation {
    condition     = var.reserved_concurrency == null || try(var.reserved_concurrency >= 1 && floor(var.reserved_concurrency) == var.reserved_concurrency, false)
    error_message = "reserved_concurrency must be null or a whole number of at least 1."
  }
}

variable "log_retention_days" {
  description = "Days CloudWatch Logs keeps the function's logs."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of CloudWatch Logs' values: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "log_format" {
  description = "Lambda log format: Text or JSON."
  type        = string
  default     = "Text"

  validation {
    condition     = contains(["Text", "JSON"], var.log_format)
    error_message = "log_format must be Text or JSON."
  }
}

variable "recursive_loop" {
  description = "Lambda's recursive loop detection for the function: Allow or Terminate. A file that outlasts one invocation continues in an asynchronous invocation of the same function, and Lambda stops such a chain after about 16 invocations unless this is Allow. Allow is needed so that files larger than about 16 invocations of work can finish; Terminate protects against runaway loops but caps a file at about 16 invocations (csv2ddb has its own guard: an invocation that makes no progress fails the file instead of handing it on)."
  type        = string
  default     = "Allow"

  validation {
    condition     = contains(["Allow", "Terminate"], var.recursive_loop)
    error_message = "recursive_loop must be Allow or Terminate."
  }
}

variable "failure_queue_name" {
  description = "Name of the SQS queue that receives events whose processing failed after Lambda's retries."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,70}$", var.failure_queue_name))
    error_message = "failure_queue_name must be 1-70 characters of letters, digits, '-' and '_' (not a FIFO queue)."
  }
}

variable "failure_queue_retention_seconds" {
  description = "How long the failure queue keeps a message, in seconds (60 to 1209600, i.e. 14 days)."
  type        = number
  default     = 1209600

  validation {
    condition     = var.failure_queue_retention_seconds >= 60 && var.failure_queue_retention_seconds <= 1209600
    error_message = "failure_queue_retention_seconds must be from 60 to 1209600."
  }
}

variable "maximum_retry_attempts" {
  description = "Times Lambda retries a failed asynchronous invocation (0 to 2) before sending it to the failure queue."
  type        = number
  default     = 2

  validation {
    condition     = contains([0, 1, 2], var.maximum_retry_attempts)
    error_message = "maximum_retry_attempts must be 0, 1 or 2."
  }
}

variable "maximum_event_age_in_seconds" {
  description = "Age in seconds (60 to 21600) after which Lambda stops retrying an event and sends it to the failure queue."
  type        = number
  default     = 21600

  validation {
    condition     = var.maximum_event_age_in_seconds >= 60 && var.maximum_event_age_in_seconds <= 21600 && floor(var.maximum_event_age_in_seconds) == var.maximum_event_age_in_seconds
    error_message = "maximum_event_age_in_seconds must be a whole number from 60 to 21600."
  }
}

variable "alarm_email" {
  description = "E-mail address subscribed to the alarm topic (AWS sends a confirmation mail first); null for no subscription."
  type        = string
  default     = null

  validation {
    condition     = var.alarm_email == null || can(regex("^[^@[:space:]]+@[^@[:space:]]+\\.[^@[:space:]]+$", coalesce(var.alarm_email, "-")))
    error_message = "alarm_email must be null or an e-mail address."
  }
}

variable "tags" {
  description = "Tags for the function and the resources around it."
  type        = map(string)
  default     = {}
}

variable "description" {
  description = "Description of the function."
  type        = string
  default     = "csv2ddb: CSV objects to DynamoDB items"
}

variable "environment_variables" {
  description = "The function's environment: its settings, already checked by the caller (the root module validates each once). POWERTOOLS_SERVICE_NAME and POWERTOOLS_METRICS_NAMESPACE are added when missing."
  type        = map(string)
  default     = {}
}
