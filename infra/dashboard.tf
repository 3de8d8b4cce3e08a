# One page of the pipeline: what happened to rows and files (the function's own
# metrics, namespace csv2ddb, dimension service = csv2ddb, as src/handler.ts
# publishes them), how the tables keep up, and whether the function is healthy.
locals {
  dashboard_tables = merge({ (local.table_name) = local.table_name }, { for k, n in local.dataset_table_names : n => n })

  csv2ddb_widget = {
    for title, metrics in {
      "Rows"   = ["rowsWritten", "rowsRejected", "rowsSkipped", "rowsDeleted"]
      "Files"  = ["filesFailed", "filesContinued", "filesSuperseded", "filesDuplicated"]
      "Writes" = ["writeThrottles", "writeRetries", "writeConsumedCapacity"]
      } : title => {
      type   = "metric"
      width  = 8
      height = 6
      properties = {
        title   = title
        region  = var.region
        stat    = "Sum"
        period  = 300
        view    = "timeSeries"
        stacked = false
        metrics = [for m in metrics : ["csv2ddb", m, "service", "csv2ddb", { label = m }]]
      }
    }
  }

  capacity_widgets = [
    for name in keys(local.dashboard_tables) : {
      type   = "metric"
      width  = 12
      height = 6
      properties = {
        title  = "Write capacity of ${name} (per second)"
        region = var.region
        period = 60
        view   = "timeSeries"
        metrics = [
          ["AWS/DynamoDB", "ConsumedWriteCapacityUnits", "TableName", name, { id = "consumed", stat = "Sum", visible = false }],
          [{ expression = "consumed / PERIOD(consumed)", label = "consumed WCU", id = "perSecond" }],
          ["AWS/DynamoDB", "ProvisionedWriteCapacityUnits", "TableName", name, { stat = "Average", label = "provisioned WCU (none on on-demand)" }],
          ["AWS/DynamoDB", "WriteThrottleEvents", "TableName", name, { stat = "Sum", label = "throttle events", yAxis = "right" }],
        ]
      }
    }
  ]

  health_widgets = [
    {
      type   = "metric"
      width  = 8
      height = 6
      properties = {
        title  = "Function errors and throttles"
        region = var.region
        stat   = "Sum"
        period = 300
        metrics = [
          ["AWS/Lambda", "Errors", "FunctionName", local.function_name],
          ["AWS/Lambda", "Throttles", "FunctionName", local.function_name],
          ["AWS/Lambda", "Invocations", "FunctionName", local.function_name, { yAxis = "right" }],
        ]
      }
    },
    {
      type   = "metric"
      width  = 8
      height = 6
      properties = {
        title  = "Duration (ms) against the timeout"
        region = var.region
        period = 300
        metrics = [
          ["AWS/Lambda", "Duration", "FunctionName", local.function_name, { stat = "Average" }],
          ["AWS/Lambda", "Duration", "FunctionName", local.function_name, { stat = "Maximum" }],
        ]
        annotations = { horizontal = [{ label = "timeout", value = var.lambda_timeout_s * 1000 }] }
      }
    },
    {
      type   = "metric"
      width  = 8
      height = 6
      properties = {
        title  = "Failure queue depth"
        region = var.region
        stat   = "Maximum"
        period = 300
        metrics = [
          ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", local.failure_queue_name],
        ]
      }
    },
  ]

  dashboard_body = {
    widgets = concat(values(local.csv2ddb_widget), local.capacity_widgets, local.health_widgets)
  }
}

resource "aws_cloudwatch_dashboard" "this" {
  count = var.dashboard_enabled ? 1 : 0

  dashboard_name = local.function_name
  dashboard_body = jsonencode(local.dashboard_body)
}
