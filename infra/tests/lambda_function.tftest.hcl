# modules/lambda_function: the function, its logs, its failure path and alarms.

mock_provider "aws" {
  mock_data "aws_partition" {
    defaults = { partition = "aws", dns_suffix = "amazonaws.com", id = "aws" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  mock_resource "aws_sqs_queue" {
    override_during = plan
    defaults = {
      arn = "arn:aws:sqs:eu-west-1:123456789012:csv2ddb-ingest-failures"
      url = "https://sqs.eu-west-1.amazonaws.com/123456789012/csv2ddb-ingest-failures"
    }
  }
  mock_resource "aws_sns_topic" {
    override_during = plan
    defaults        = { arn = "arn:aws:sns:eu-west-1:123456789012:csv2ddb-ingest-alarms" }
  }
  mock_resource "aws_kms_key" {
    override_during = plan
    defaults = {
      arn    = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"
      key_id = "00000000-0000-0000-0000-000000000000"
    }
  }
}

variables {
  function_name = "csv2ddb-ingest"
  account_id    = "123456789012"
  role_arn      = "arn:aws:iam::123456789012:role/csv2ddb-ingest"
  code = {
    s3_bucket         = "csv2ddb-code-123456789012-eu-west-1"
    s3_key            = "csv2ddb-ingest/lambda.zip"
    s3_object_version = "3HL4kqtJlcpXroDTDmjVBH40Nrjfkd"
    source_code_hash  = "Wm9vYmFy"
  }
  failure_queue_name = "csv2ddb-ingest-failures"
  environment_variables = {
    TABLE_NAME    = "csv2ddb-items"
    SOURCE_BUCKET = "csv2ddb-source-123456789012-eu-west-1"
  }
}

run "runtime_code_limits_and_environment" {
  command = plan

  module {
    source = "./modules/lambda_function"
  }

  assert {
    condition = (
      aws_lambda_function.this.runtime == "nodejs22.x" &&
      aws_lambda_function.this.architectures == tolist(["arm64"]) &&
      aws_lambda_function.this.handler == "index.handler" &&
      aws_lambda_function.this.role == var.role_arn
    )
    error_message = "The function runs index.handler on nodejs22.x, arm64, with the execution role."
  }

  assert {
    condition = (
      aws_lambda_function.this.s3_bucket == var.code.s3_bucket &&
      aws_lambda_function.this.s3_key == var.code.s3_key &&
      aws_lambda_function.this.s3_object_version == var.code.s3_object_version &&
      aws_lambda_function.this.source_code_hash == var.code.source_code_hash
    )
    error_message = "The code comes from the uploaded object's version, with its hash."
  }

  assert {
    condition = (
      aws_lambda_function.this.timeout == 900 &&
      aws_lambda_function.this.memory_size == 1024 &&
      aws_lambda_function.this.reserved_concurrent_executions == -1
    )
    error_message = "Defaults: 900 s timeout, 1024 MB, no reserved concurrency."
  }

  assert {
    condition = aws_lambda_function.this.environment[0].variables == tomap({
      TABLE_NAME                   = "csv2ddb-items"
      SOURCE_BUCKET                = "csv2ddb-source-123456789012-eu-west-1"
      POWERTOOLS_SERVICE_NAME      = "csv2ddb"
      POWERTOOLS_METRICS_NAMESPACE = "csv2ddb"
    })
    error_message = "The environment must be the map it is given, plus the metrics namespace the dashboard reads."
  }

  assert {
    condition     = aws_cloudwatch_log_group.this.name == "/aws/lambda/csv2ddb-ingest" && aws_cloudwatch_log_group.this.retention_in_days == 30
    error_message = "The function's log group is created, with a 30-day retention by default."
  }

  assert {
    condition     = aws_lambda_function.this.logging_config[0].log_group == "/aws/lambda/csv2ddb-ingest" && aws_lambda_function.this.logging_config[0].log_format == "Text"
    error_message = "The function must log to that group, in text by default."
  }
}

run "environment_with_schema_and_settings" {
  command = plan

  module {
    source = "./modules/lambda_function"
  }

  variables {
    environment_variables = {
      SCHEMA_S3_KEY     = "config/schema.json"
      TYPE_MODE         = "string"
      WRITE_CONCURRENCY = "64"
    }
    reserved_concurrency = 5
    log_format           = "JSON"
    log_retention_days   = 14
  }

  assert {
    condition = (
      aws_lambda_function.this.environment[0].variables["SCHEMA_S3_KEY"] == "config/schema.json" &&
      aws_lambda_function.this.environment[0].variables["TYPE_MODE"] == "string" &&
      aws_lambda_function.this.environment[0].variables["WRITE_CONCURRENCY"] == "64"
    )
    error_message = "Every variable of the map must reach the environment as it is: the module does not re-check settings."
  }

  assert {
    condition     = aws_lambda_function.this.reserved_concurrent_executions == 5 && aws_lambda_function.this.logging_config[0].log_format == "JSON"
    error_message = "Reserved concurrency and the JSON log format are optional settings."
  }

  assert {
    condition     = aws_cloudwatch_log_group.this.retention_in_days == 14
    error_message = "The log retention must follow log_retention_days."
  }
}

run "failed_events_go_to_an_encrypted_queue" {
  command = plan

  module {
    source = "./modules/lambda_function"
  }

  assert {
    condition = (
      aws_lambda_function_event_invoke_config.this.function_name == "csv2ddb-ingest" &&
      aws_lambda_function_event_invoke_config.this.maximum_retry_attempts == 2 &&
      aws_lambda_function_event_invoke_config.this.maximum_event_age_in_seconds == 21600
    )
    error_message = "Asynchronous invocations are retried twice within 6 hours."
  }

  assert {
    condition     = aws_lambda_function_event_invoke_config.this.destination_config[0].on_failure[0].destination == aws_sqs_queue.this.arn
    error_message = "The on-failure destination must be the failure queue."
  }

  assert {
    condition = (
      aws_sqs_queue.this.name == "csv2ddb-ingest-failures" &&
      aws_sqs_queue.this.sqs_managed_sse_enabled &&
      aws_sqs_queue.this.message_retention_seconds == 1209600
    )
    error_message = "The failure queue is encrypted (SSE-SQS) and keeps messages 14 days."
  }
}

run "alarms_notify_an_encrypted_topic" {
  command = plan

  module {
    source = "./modules/lambda_function"
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.errors.namespace == "AWS/Lambda" &&
      aws_cloudwatch_metric_alarm.errors.metric_name == "Errors" &&
      aws_cloudwatch_metric_alarm.throttles.namespace == "AWS/Lambda" &&
      aws_cloudwatch_metric_alarm.throttles.metric_name == "Throttles" &&
      aws_cloudwatch_metric_alarm.errors.dimensions == tomap({ FunctionName = "csv2ddb-ingest" }) &&
      aws_cloudwatch_metric_alarm.throttles.dimensions == tomap({ FunctionName = "csv2ddb-ingest" })
    )
    error_message = "The function's Errors and Throttles must be alarmed."
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.failure_queue.namespace == "AWS/SQS" &&
      aws_cloudwatch_metric_alarm.failure_queue.metric_name == "ApproximateNumberOfMessagesVisible" &&
      aws_cloudwatch_metric_alarm.failure_queue.dimensions == tomap({ QueueName = "csv2ddb-ingest-failures" })
    )
    error_message = "Messages in the failure queue must be alarmed."
  }

  assert {
    condition = alltrue([
      for a in [aws_cloudwatch_metric_alarm.errors, aws_cloudwatch_metric_alarm.throttles, aws_cloudwatch_metric_alarm.failure_queue] :
      a.comparison_operator == "GreaterThanThreshold" && a.threshold == 0 && a.alarm_actions == toset([aws_sns_topic.this.arn])
    ])
    error_message = "Every alarm fires above 0 and notifies the alarm topic."
  }

  assert {
    condition     = aws_sns_topic.this.kms_master_key_id == aws_kms_key.this.arn && aws_kms_key.this.enable_key_rotation
    error_message = "The alarm topic is encrypted with a rotated KMS key that CloudWatch may use."
  }

  assert {
    condition = anytrue([
      for s in data.aws_iam_policy_document.alarm_key.statement :
      s.principals == toset([{ type = "Service", identifiers = toset(["cloudwatch.amazonaws.com"]) }]) &&
      toset(s.actions) == toset(["kms:Decrypt", "kms:GenerateDataKey"])
    ])
    error_message = "The key policy must let CloudWatch alarms publish to the encrypted topic."
  }

  assert {
    condition     = length(aws_sns_topic_subscription.this) == 0
    error_message = "Without alarm_email there is no subscription."
  }
}

run "alarm_email_subscribes" {
  command = plan

  module {
    source = "./modules/lambda_function"
  }

  variables {
    alarm_email = "ops@example.com"
  }

  assert {
    condition = (
      length(aws_sns_topic_subscription.this) == 1 &&
      aws_sns_topic_subscription.this[0].protocol == "email" &&
      aws_sns_topic_subscription.this[0].endpoint == "ops@example.com" &&
      aws_sns_topic_subscription.this[0].topic_arn == aws_sns_topic.this.arn
    )
    error_message = "alarm_email must subscribe that address to the alarm topic."
  }
}

run "recursive_continuations_are_allowed_by_default" {
  command = plan

  module {
    source = "./modules/lambda_function"
  }

  assert {
    condition = (
      aws_lambda_function_recursion_config.this.function_name == "csv2ddb-ingest" &&
      aws_lambda_function_recursion_config.this.recursive_loop == "Allow"
    )
    error_message = "The function continues long files by invoking itself: its recursive loop setting must be Allow by default, or Lambda stops the chain after about 16 invocations."
  }
}

run "recursive_loop_can_terminate" {
  command = plan

  module {
    source = "./modules/lambda_function"
  }

  variables {
    recursive_loop = "Terminate"
  }

  assert {
    condition     = aws_lambda_function_recursion_config.this.recursive_loop == "Terminate"
    error_message = "recursive_loop = Terminate must reach the function's recursion config."
  }
}

run "rejects_out_of_range_settings" {
  command = plan

  module {
    source = "./modules/lambda_function"
  }

  variables {
    log_retention_days           = 10
    maximum_retry_attempts       = 3
    maximum_event_age_in_seconds = 30
  }

  expect_failures = [
    var.log_retention_days,
    var.maximum_retry_attempts,
    var.maximum_event_age_in_seconds,
  ]
}

run "rejects_an_unknown_recursive_loop_setting" {
  command = plan

  module {
    source = "./modules/lambda_function"
  }

  variables {
    recursive_loop = "Off"
  }

  expect_failures = [var.recursive_loop]
}
