output "source_bucket_name" {
  description = "Bucket to upload CSV files to (under upload_prefix); reports and rejected rows are written there too."
  value       = local.source_bucket_id
}

output "upload_prefix" {
  description = "Key prefix under which uploaded .csv, .csv.gz, .tsv and .tsv.gz files are processed."
  value       = var.upload_prefix
}

output "report_prefix" {
  description = "Key prefix of the per-file reports: incoming/R gets reports/R.json."
  value       = var.report_prefix
}

output "rejected_prefix" {
  description = "Key prefix of the rejected-rows files."
  value       = var.rejected_prefix
}

output "code_bucket_name" {
  description = "Bucket holding the function's deployment package."
  value       = module.code_bucket.s3_bucket_id
}

output "table_name" {
  description = "DynamoDB table the items are written to (TABLE_NAME): created, or existing_table_name."
  value       = local.table_name
}

output "table_arn" {
  description = "ARN of the DynamoDB table."
  value       = local.table_arn
}

output "function_name" {
  description = "Name of the Lambda function."
  value       = module.lambda_function.lambda_function_name
}

output "function_arn" {
  description = "ARN of the Lambda function."
  value       = module.lambda_function.lambda_function_arn
}

output "log_group_name" {
  description = "CloudWatch Logs group of the function."
  value       = module.lambda_function.lambda_function_log_group_name
}

output "failure_queue_url" {
  description = "URL of the SQS queue holding events that failed after Lambda's retries."
  value       = module.lambda_function.lambda_function_failure_queue_url
}

output "failure_queue_arn" {
  description = "ARN of the failure queue."
  value       = module.lambda_function.lambda_function_failure_queue_arn
}

output "alarm_topic_arn" {
  description = "SNS topic that the alarms notify."
  value       = module.lambda_function.lambda_function_alarm_topic_arn
}

output "schema_s3_key" {
  description = "Key of the column schema object in the source bucket (SCHEMA_S3_KEY), null without a schema."
  value       = local.schema_key
}

output "ledger_table_name" {
  description = "The file ledger table (LEDGER_TABLE), null when ledger_enabled is false."
  value       = var.ledger_enabled ? module.ledger[0].dynamodb_table_name : null
}

output "dataset_tables" {
  description = "Each dataset's sub-prefix and the table its files go to."
  value       = local.dataset_table_names
}

output "uploader_policy_arn" {
  description = "ARN of the managed policy for the system that uploads (attach it to its role or user); null unless uploader_policy_enabled."
  value       = var.uploader_policy_enabled ? aws_iam_policy.uploader[0].arn : null
}

output "dashboard_url" {
  description = "The CloudWatch dashboard of the pipeline; null unless dashboard_enabled."
  value       = var.dashboard_enabled ? "https://${var.region}.console.aws.amazon.com/cloudwatch/home?region=${var.region}#dashboards/dashboard/${aws_cloudwatch_dashboard.this[0].dashboard_name}" : null
}
