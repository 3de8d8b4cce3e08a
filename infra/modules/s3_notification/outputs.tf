output "s3_notification_id" {
  description = "Name of the bucket the notification configuration belongs to."
  value       = aws_s3_bucket_notification.this.id
}

output "s3_notification_permission_statement_id" {
  description = "Statement id of the Lambda permission that lets S3 invoke the function."
  value       = aws_lambda_permission.this.statement_id
}

output "s3_notification_rules" {
  description = "The notification's rules: id, filter_prefix and filter_suffix of each."
  value       = [for f in aws_s3_bucket_notification.this.lambda_function : { id = f.id, filter_prefix = f.filter_prefix, filter_suffix = f.filter_suffix }]
}

output "s3_notification_bucket" {
  description = "The bucket whose notification configuration this is (known at plan)."
  value       = var.bucket_id
}
