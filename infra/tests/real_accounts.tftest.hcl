# Deploying onto an account that already has data: an existing table, an
# existing bucket, several feeds (datasets), the uploader's policy, the dashboard.

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_region" {
    defaults = { name = "eu-west-1", id = "eu-west-1" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws", dns_suffix = "amazonaws.com", id = "aws" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

variables {
  lambda_zip_path = "tests/fixtures/lambda.zip"
}

run "an_existing_table_is_read_not_planned" {
  command = plan

  variables {
    existing_table_name = "Legacy"
  }

  override_data {
    target = data.aws_dynamodb_table.existing
    values = { arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/Legacy", hash_key = "ID", range_key = null }
  }

  assert {
    condition     = length(module.table) == 0 && output.table_name == "Legacy" && output.table_arn == "arn:aws:dynamodb:eu-west-1:123456789012:table/Legacy"
    error_message = "With existing_table_name no table is planned, and the function writes to the existing one."
  }

  assert {
    condition     = module.lambda_function.lambda_function_environment["TABLE_NAME"] == "Legacy"
    error_message = "TABLE_NAME must name the existing table."
  }

  assert {
    condition     = toset(module.execution_role.execution_role_table_arns) == toset(["arn:aws:dynamodb:eu-west-1:123456789012:table/Legacy"])
    error_message = "The role must be scoped to the existing table's ARN, and only that."
  }
}

run "an_existing_table_with_another_key_schema_is_refused" {
  command = plan

  variables {
    existing_table_name = "Legacy"
  }

  override_data {
    target = data.aws_dynamodb_table.existing
    values = { arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/Legacy", hash_key = "pk", range_key = "sk" }
  }

  expect_failures = [data.aws_dynamodb_table.existing]
}

run "an_existing_bucket_gets_the_notification_but_no_bucket" {
  command = plan

  variables {
    existing_bucket_name          = "acme-landing"
    existing_bucket_notifications = "replace"
  }

  assert {
    condition     = length(module.source_bucket) == 0 && output.source_bucket_name == "acme-landing"
    error_message = "With existing_bucket_name no source bucket is planned."
  }

  assert {
    condition = (
      module.s3_notification.s3_notification_bucket == "acme-landing" &&
      module.lambda_function.lambda_function_environment["SOURCE_BUCKET"] == "acme-landing"
    )
    error_message = "The notification and SOURCE_BUCKET must name the existing bucket."
  }

  assert {
    condition     = module.execution_role.execution_role_upload_objects == "arn:aws:s3:::acme-landing/incoming/*"
    error_message = "The role reads uploads from the existing bucket's upload prefix only."
  }
}

run "two_datasets_route_to_their_tables" {
  command = plan

  variables {
    datasets = {
      "orders/" = {
        table       = { name = "csv2ddb-orders", hash_key = { name = "OrderId", type = "S" }, billing_mode = "PAY_PER_REQUEST" }
        schema_file = "tests/fixtures/schema.json"
      }
      "customers/" = { existing_table_name = "Customers" }
    }
  }

  override_data {
    target = data.aws_dynamodb_table.dataset
    values = { arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/Customers" }
  }

  override_module {
    target  = module.table
    outputs = { dynamodb_table_name = "csv2ddb-items", dynamodb_table_arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/csv2ddb-items" }
  }

  override_module {
    target  = module.dataset_table
    outputs = { dynamodb_table_name = "csv2ddb-orders", dynamodb_table_arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/csv2ddb-orders" }
  }

  assert {
    condition     = length(module.dataset_table) == 1 && length(data.aws_dynamodb_table.dataset) == 1
    error_message = "One new table is planned for orders/, and Customers is read."
  }

  assert {
    condition = jsondecode(module.lambda_function.lambda_function_environment["DATASETS"]) == {
      "customers/" = { table = "Customers" }
      "orders/"    = { table = "csv2ddb-orders", schemaKey = "config/datasets/orders/schema.json" }
    }
    error_message = "DATASETS must route each sub-prefix to its table, with the uploaded schema's key."
  }

  assert {
    condition     = module.dataset_schema["orders/"].s3_object_key == "config/datasets/orders/schema.json" && module.dataset_schema["orders/"].s3_object_source_exists
    error_message = "The dataset's schema file must be uploaded."
  }

  assert {
    condition = toset(module.execution_role.execution_role_table_arns) == toset([
      "arn:aws:dynamodb:eu-west-1:123456789012:table/csv2ddb-items",
      "arn:aws:dynamodb:eu-west-1:123456789012:table/csv2ddb-orders",
      "arn:aws:dynamodb:eu-west-1:123456789012:table/Customers",
    ])
    error_message = "The role writes to the default table and to both datasets' tables, nothing else."
  }

  assert {
    condition     = toset(module.execution_role.execution_role_schema_objects) == toset(["arn:aws:s3:::csv2ddb-source-123456789012-eu-west-1/config/datasets/orders/schema.json"])
    error_message = "The role reads the dataset's schema object only."
  }

  assert {
    condition = alltrue([
      for f in module.s3_notification.s3_notification_rules : f.filter_prefix == "incoming/"
    ]) && toset([for f in module.s3_notification.s3_notification_rules : f.filter_suffix]) == toset([".csv", ".csv.gz", ".tsv", ".tsv.gz"])
    error_message = "The notification covers every dataset (all under upload_prefix) and every suffix."
  }
}

run "the_uploader_may_put_uploads_and_read_its_results_only" {
  command = plan

  variables {
    uploader_policy_enabled = true
  }

  assert {
    condition     = length(aws_iam_policy.uploader) == 1
    error_message = "uploader_policy_enabled creates the uploader's policy."
  }

  assert {
    condition = alltrue(flatten([
      for s in jsondecode(aws_iam_policy.uploader[0].policy).Statement : [
        s.Effect == "Allow",
        alltrue([for a in s.Action : !strcontains(a, "*") && !strcontains(a, "?")]),
        !can(s.NotAction),
        !can(s.NotResource),
      ]
    ]))
    error_message = "The uploader's policy must Allow literal actions only: no wildcard action."
  }

  assert {
    condition = jsonencode({
      for s in jsondecode(aws_iam_policy.uploader[0].policy).Statement : s.Sid => [sort(s.Action), sort(s.Resource)]
      }) == jsonencode({
      UploadFiles = [
        ["s3:AbortMultipartUpload", "s3:ListMultipartUploadParts", "s3:PutObject"],
        ["arn:aws:s3:::csv2ddb-source-123456789012-eu-west-1/incoming/*"],
      ]
      ReadReportsAndRejectedRows = [
        ["s3:GetObject"],
        [
          "arn:aws:s3:::csv2ddb-source-123456789012-eu-west-1/rejected/*",
          "arn:aws:s3:::csv2ddb-source-123456789012-eu-west-1/reports/*",
        ],
      ]
    })
    error_message = "The uploader may put under the upload prefix and read reports and rejected rows: no other prefix, no other action."
  }
}

run "no_uploader_policy_unless_asked" {
  command = plan

  assert {
    condition     = length(aws_iam_policy.uploader) == 0 && output.uploader_policy_arn == null
    error_message = "The uploader's policy is optional and off by default."
  }
}

run "the_dashboard_shows_the_pipeline" {
  command = plan

  assert {
    condition     = length(aws_cloudwatch_dashboard.this) == 1 && aws_cloudwatch_dashboard.this[0].dashboard_name == "csv2ddb-ingest"
    error_message = "The dashboard is on by default."
  }

  assert {
    condition = length(setsubtract(
      ["rowsWritten", "rowsRejected", "rowsSkipped", "rowsDeleted", "filesFailed", "filesContinued", "filesSuperseded", "filesDuplicated", "writeThrottles"],
      flatten([for w in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : [for m in w.properties.metrics : m[1] if length(m) > 1 && try(m[0], "") == "csv2ddb"]]),
    )) == 0
    error_message = "The dashboard must show the function's row, file and throttle metrics."
  }

  assert {
    condition = toset(flatten([for w in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : [for m in w.properties.metrics : "${m[0]}/${m[1]}" if length(m) > 1]])) == toset(flatten([
      [for m in ["rowsWritten", "rowsRejected", "rowsSkipped", "rowsDeleted", "filesFailed", "filesContinued", "filesSuperseded", "filesDuplicated", "writeThrottles", "writeRetries", "writeConsumedCapacity"] : "csv2ddb/${m}"],
      ["AWS/DynamoDB/ConsumedWriteCapacityUnits", "AWS/DynamoDB/ProvisionedWriteCapacityUnits", "AWS/DynamoDB/WriteThrottleEvents"],
      ["AWS/Lambda/Errors", "AWS/Lambda/Throttles", "AWS/Lambda/Invocations", "AWS/Lambda/Duration"],
      ["AWS/SQS/ApproximateNumberOfMessagesVisible"],
    ]))
    error_message = "The dashboard shows consumed against provisioned capacity, function errors and duration, and the failure queue's depth."
  }

  assert {
    condition     = output.dashboard_url == "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/csv2ddb-ingest"
    error_message = "The dashboard's URL must be an output."
  }
}

run "the_dashboard_can_be_left_out" {
  command = plan

  variables {
    dashboard_enabled = false
  }

  assert {
    condition     = length(aws_cloudwatch_dashboard.this) == 0 && output.dashboard_url == null
    error_message = "dashboard_enabled = false creates no dashboard."
  }
}

run "the_ledger_table_is_on_demand_with_ttl_and_can_be_left_out" {
  command = plan

  variables {
    ledger_enabled = false
  }

  assert {
    condition     = length(module.ledger) == 0 && !contains(keys(module.lambda_function.lambda_function_environment), "LEDGER_TABLE") && output.ledger_table_name == null
    error_message = "ledger_enabled = false creates no ledger and sets no LEDGER_TABLE."
  }
}
