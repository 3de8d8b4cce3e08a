variable "bucket_id" {
  description = "Name of the bucket whose object events invoke the function."
  type        = string
}

variable "bucket_arn" {
  description = "ARN of that bucket; the invoke permission is limited to it."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:s3:::[^/]+$", var.bucket_arn))
    error_message = "bucket_arn must be a bucket ARN (arn:<partition>:s3:::<name>)."
  }
}

variable "bucket_owner_account_id" {
  description = "Account that owns the bucket; the invoke permission is limited to it (bucket names can move between accounts)."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.bucket_owner_account_id))
    error_message = "bucket_owner_account_id must be a 12-digit AWS account id."
  }
}

variable "function_name" {
  description = "Name of the Lambda function to invoke."
  type        = string
}

variable "function_arn" {
  description = "ARN of the Lambda function to invoke."
  type        = string
}

variable "upload_prefix" {
  description = "Only keys under this prefix invoke the function; empty for the whole bucket."
  type        = string
  default     = "incoming/"
}

variable "filter_suffixes" {
  description = "Key suffixes that invoke the function, one notification rule each. No suffix may end with another one (S3 rejects overlapping rules)."
  type        = list(string)
  default     = [".csv", ".csv.gz", ".tsv", ".tsv.gz"]

  validation {
    condition     = length(var.filter_suffixes) > 0 && length(distinct(var.filter_suffixes)) == length(var.filter_suffixes)
    error_message = "filter_suffixes must list at least one suffix, each once."
  }

  validation {
    condition = alltrue(flatten([
      for a in var.filter_suffixes : [for b in var.filter_suffixes : a == b || !endswith(a, b)]
    ]))
    error_message = "filter_suffixes must not overlap: no suffix may end with another one."
  }
}

variable "events" {
  description = "S3 event types that invoke the function."
  type        = list(string)
  default     = ["s3:ObjectCreated:*"]

  validation {
    condition     = length(var.events) > 0 && alltrue([for e in var.events : startswith(e, "s3:ObjectCreated:")])
    error_message = "events must be s3:ObjectCreated:* event types: the function only processes new objects."
  }
}
