variable "name" {
  description = "Name of the table."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{3,255}$", var.name))
    error_message = "name must be 3-255 characters of letters, digits, '_', '-' and '.'."
  }
}

variable "hash_key" {
  description = "Partition key: attribute name and type (S, N or B)."
  type = object({
    name = string
    type = string
  })
  default = {
    name = "ID"
    type = "N"
  }

  validation {
    condition     = contains(["S", "N", "B"], var.hash_key.type)
    error_message = "hash_key.type must be S, N or B."
  }

  validation {
    condition     = length(var.hash_key.name) >= 1 && length(var.hash_key.name) <= 255
    error_message = "hash_key.name must be 1-255 characters long."
  }
}

variable "range_key" {
  description = "Optional sort key: attribute name and type (S, N or B); null for a table with a partition key only."
  type = object({
    name = string
    type = string
  })
  default = null

  validation {
    condition     = var.range_key == null || contains(["S", "N", "B"], try(var.range_key.type, ""))
    error_message = "range_key.type must be S, N or B."
  }

  validation {
    condition     = var.range_key == null || (length(try(var.range_key.name, "")) >= 1 && length(try(var.range_key.name, "")) <= 255)
    error_message = "range_key.name must be 1-255 characters long."
  }
}

variable "billing_mode" {
  description = "PROVISIONED (read_capacity/write_capacity, optional autoscaling) or PAY_PER_REQUEST (capacities are ignored)."
  type        = string
  default     = "PROVISIONED"

  validation {
    condition     = contains(["PROVISIONED", "PAY_PER_REQUEST"], var.billing_mode)
    error_message = "billing_mode must be PROVISIONED or PAY_PER_REQUEST."
  }
}

variable "read_capacity" {
  description = "Read capacity units in PROVISIONED mode (the starting point when autoscaling is on)."
  type        = number
  default     = 5

  validation {
    condition     = var.read_capacity >= 1 && floor(var.read_capacity) == var.read_capacity
    error_message = "read_capacity must be a whole number of at least 1."
  }
}

variable "write_capacity" {
  description = "Write capacity units in PROVISIONED mode (the starting point when autoscaling is on)."
  type        = number
  default     = 5

  validation {
    condition     = var.write_capacity >= 1 && floor(var.write_capacity) == var.write_capacity
    error_message = "write_capacity must be a whole number of at least 1."
  }
}

variable "autoscaling" {
  description = "Target-tracking autoscaling of read and write capacity; only used in PROVISIONED mode."
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

  validation {
    condition = alltrue([
      for s in [var.autoscaling.read, var.autoscaling.write] :
      s.min_capacity >= 1 && s.min_capacity <= s.max_capacity
    ])
    error_message = "autoscaling: each min_capacity must be at least 1 and not above its max_capacity."
  }

  validation {
    condition = alltrue([
      for s in [var.autoscaling.read, var.autoscaling.write] :
      s.target_utilization >= 20 && s.target_utilization <= 90
    ])
    error_message = "autoscaling: target_utilization must be between 20 and 90 (percent)."
  }
}

variable "point_in_time_recovery" {
  description = "Continuous backups with point-in-time recovery."
  type        = bool
  default     = true
}

variable "deletion_protection" {
  description = "Refuse to delete the table (turn off before `terraform destroy`)."
  type        = bool
  default     = false
}

variable "kms_key_arn" {
  description = "Customer managed KMS key for server-side encryption; null uses the AWS managed key aws/dynamodb. Encryption is always on."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags for the table and its autoscaling targets."
  type        = map(string)
  default     = {}
}

variable "ttl_attribute" {
  description = "Attribute holding each item's expiry time (epoch seconds) for DynamoDB's TTL; null for no TTL."
  type        = string
  default     = null
}
