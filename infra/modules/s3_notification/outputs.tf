output "s3_notification_id" {
  description = "Name of the bucket the notification configuration belongs to."
  value       = aws_s3_bucket_notification.this.id
}

output "s3_notification_permission_statement_id" {
  description = "Statement id of the Lambda permission that lets S3 invoke the function."
  value       = aws_lambda_permission.this.statement_id
}
