output "dynamodb_table_name" {
  description = "Name of the table."
  value       = aws_dynamodb_table.this.name
}

output "dynamodb_table_arn" {
  description = "ARN of the table."
  value       = aws_dynamodb_table.this.arn
}

output "dynamodb_table_key_schema" {
  description = "Key attributes of the table: hash_key and range_key (null when there is none), each with name and type."
  value = {
    hash_key  = var.hash_key
    range_key = var.range_key
  }
}

output "dynamodb_table_autoscaling_enabled" {
  description = "Whether capacity autoscaling is in effect (PROVISIONED mode with autoscaling enabled)."
  value       = local.autoscaling
}
