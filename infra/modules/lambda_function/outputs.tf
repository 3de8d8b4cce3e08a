output "lambda_function_name" {
  description = "Name of the function."
  value       = aws_lambda_function.this.function_name
}

output "lambda_function_arn" {
  description = "ARN of the function."
  value       = aws_lambda_function.this.arn
}

output "lambda_function_environment" {
  description = "Environment variables of the function."
  value       = local.environment
}

output "lambda_function_recursive_loop" {
  description = "The function's recursive loop detection setting (Allow or Terminate)."
  value       = aws_lambda_function_recursion_config.this.recursive_loop
}

output "lambda_function_log_group_name" {
  description = "CloudWatch Logs group of the function."
  value       = aws_cloudwatch_log_group.this.name
}

output "lambda_function_failure_queue_arn" {
  description = "ARN of the SQS queue that receives failed events (on-failure destination)."
  value       = aws_sqs_queue.this.arn
}

output "lambda_function_failure_queue_url" {
  description = "URL of the SQS queue that receives failed events."
  value       = aws_sqs_queue.this.url
}

output "lambda_function_alarm_topic_arn" {
  description = "ARN of the SNS topic that the function's alarms notify."
  value       = aws_sns_topic.this.arn
}

output "lambda_function_alarm_names" {
  description = "Names of the CloudWatch alarms: errors, throttles and failure_queue."
  value = {
    errors        = aws_cloudwatch_metric_alarm.errors.alarm_name
    throttles     = aws_cloudwatch_metric_alarm.throttles.alarm_name
    failure_queue = aws_cloudwatch_metric_alarm.failure_queue.alarm_name
  }
}
