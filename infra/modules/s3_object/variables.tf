variable "bucket" {
  description = "Name of the bucket to upload to."
  type        = string
}

variable "key" {
  description = "Object key."
  type        = string

  validation {
    condition     = length(var.key) > 0 && !startswith(var.key, "/") && !endswith(var.key, "/")
    error_message = "key must be non-empty and must neither start nor end with '/'."
  }
}

variable "source_path" {
  description = "Path of the local file to upload (resolve it with path.root or path.module in the caller)."
  type        = string
}

variable "content_type" {
  description = "MIME type stored with the object."
  type        = string
  default     = "application/octet-stream"
}

variable "tags" {
  description = "Tags for the object."
  type        = map(string)
  default     = {}
}
