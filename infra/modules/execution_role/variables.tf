variable "role_name" {
  description = "Name of the IAM role."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.role_name))
    error_message = "role_name must be 1-64 characters of letters, digits and +=,.@_-."
  }
}

variable "account_id" {
  description = "Account that runs the function; used in ARNs and in the trust policy's aws:SourceAccount condition."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id must be a 12-digit AWS account id."
  }
}

variable "function_name" {
  description = "Name of the Lambda function that assumes the role (its log group and continuation invocations)."
  type        = string
}

variable "source_bucket_name" {
  description = "Bucket the function reads uploads from and writes reports and rejected rows to."
  type        = string
}

variable "upload_prefix" {
  description = "Prefix of the uploaded CSV files (read access)."
  type        = string

  validation {
    condition     = can(regex("^[^/*].*/$", var.upload_prefix)) && !strcontains(var.upload_prefix, "*")
    error_message = "upload_prefix must be non-empty, end with '/', and contain neither a leading '/' nor '*'."
  }
}

variable "report_prefix" {
  description = "Prefix of the per-file reports (write access)."
  type        = string

  validation {
    condition     = can(regex("^[^/*].*/$", var.report_prefix)) && !strcontains(var.report_prefix, "*")
    error_message = "report_prefix must be non-empty, end with '/', and contain neither a leading '/' nor '*'."
  }
}

variable "rejected_prefix" {
  description = "Prefix of the rejected-rows files (write and delete access)."
  type        = string

  validation {
    condition     = can(regex("^[^/*].*/$", var.rejected_prefix)) && !strcontains(var.rejected_prefix, "*")
    error_message = "rejected_prefix must be non-empty, end with '/', and contain neither a leading '/' nor '*'."
  }
}

variable "schema_object_key" {
  description = "Key of the column schema object in the source bucket (read access to that one object); null when there is no schema."
  type        = string
  default     = null

  validation {
    condition     = var.schema_object_key == null || (length(coalesce(var.schema_object_key, "-")) > 0 && !strcontains(coalesce(var.schema_object_key, "-"), "*"))
    error_message = "schema_object_key must be a plain object key without '*'."
  }
}

variable "table_name" {
  description = "Name of the DynamoDB table the function writes to (in the role's account and region)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{3,255}$", var.table_name))
    error_message = "table_name must be the name of one DynamoDB table."
  }
}

variable "failure_queue_name" {
  description = "Name of the SQS queue that receives events whose processing failed (on-failure destination)."
  type        = string
}

variable "tags" {
  description = "Tags for the role."
  type        = map(string)
  default     = {}
}
