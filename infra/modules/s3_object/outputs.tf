output "s3_object_bucket" {
  description = "Bucket holding the object."
  value       = aws_s3_object.this.bucket
}

output "s3_object_key" {
  description = "Key of the object."
  value       = aws_s3_object.this.key
}

output "s3_object_version_id" {
  description = "Version id of the uploaded object; changes whenever the file's content changes."
  value       = aws_s3_object.this.version_id
}

output "s3_object_source_exists" {
  description = "Whether the local file existed when the plan was made."
  value       = local.source_exists
}

output "s3_object_source_base64sha256" {
  description = "Base64 SHA-256 of the local file (Lambda's source_code_hash format), null when it does not exist."
  value       = local.source_exists ? filebase64sha256(var.source_path) : null
}
