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

variable "failure_queue_name" {
  description = "Name of the SQS queue that receives events whose processing failed (on-failure destination)."
  type        = string
}

variable "tags" {
  description = "Tags for the role."
  type        = map(string)
  default     = {}
}

variable "upload_prefix" {
  description = "Prefix of the uploaded CSV files (read access); empty for the whole bucket."
  type        = string

  validation {
    condition     = !can(regex("[*?$]", var.upload_prefix))
    error_message = "upload_prefix must not contain '*', '?' or '$': in an IAM resource they are wildcards or variables and would widen the grant."
  }
}

variable "report_prefix" {
  description = "Prefix of the per-file reports (write access)."
  type        = string

  validation {
    condition     = length(var.report_prefix) > 0 && !can(regex("[*?$]", var.report_prefix))
    error_message = "report_prefix must be non-empty and must not contain '*', '?' or '$' (IAM wildcards and variables)."
  }
}

variable "rejected_prefix" {
  description = "Prefix of the rejected-rows files (write and delete access)."
  type        = string

  validation {
    condition     = length(var.rejected_prefix) > 0 && !can(regex("[*?$]", var.rejected_prefix))
    error_message = "rejected_prefix must be non-empty and must not contain '*', '?' or '$' (IAM wildcards and variables)."
  }
}

variable "schema_object_keys" {
  description = "Keys of the column schema objects in the source bucket (read access to those objects only)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for k in var.schema_object_keys : length(k) > 0 && !can(regex("[*?$]", k))])
    error_message = "schema_object_keys must be plain object keys without '*', '?' or '$'."
  }
}

variable "table_arns" {
  description = "ARNs of the DynamoDB tables the function writes items to (the default table and every dataset's)."
  type        = list(string)

  validation {
    condition     = length(var.table_arns) > 0 && alltrue([for a in var.table_arns : can(regex("^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:[0-9]{12}:table/[A-Za-z0-9_.-]{3,255}$", a))])
    error_message = "table_arns must list at least one DynamoDB table ARN (no wildcards)."
  }
}

variable "write_modes" {
  description = "The write modes the function may use on table_arns: put, upsert or delete, each optionally :absent or :newer (not delete:absent). They decide the DynamoDB actions: BatchWriteItem for put and delete, PartiQLInsert/PartiQLUpdate/PartiQLDelete for the rest."
  type        = list(string)
  default     = ["put"]

  validation {
    condition     = alltrue([for m in var.write_modes : can(regex("^(put|upsert|delete)(:(absent|newer))?$", m)) && m != "delete:absent"])
    error_message = "write_modes may only hold put, upsert and delete, each optionally followed by :absent or :newer, and not delete:absent."
  }
}

variable "ledger_table_name" {
  description = "Name of the file ledger table (LEDGER_TABLE) in the role's account and region; null when there is no ledger."
  type        = string
  default     = null

  validation {
    condition     = var.ledger_table_name == null || can(regex("^[A-Za-z0-9_.-]{3,255}$", coalesce(var.ledger_table_name, "-")))
    error_message = "ledger_table_name must be null or a DynamoDB table name."
  }
}
