# modules/s3_notification: the bucket notification and the permission it needs.

mock_provider "aws" {}

variables {
  bucket_id               = "csv2ddb-source-123456789012-eu-west-1"
  bucket_arn              = "arn:aws:s3:::csv2ddb-source-123456789012-eu-west-1"
  bucket_owner_account_id = "123456789012"
  function_name           = "csv2ddb-ingest"
  function_arn            = "arn:aws:lambda:eu-west-1:123456789012:function:csv2ddb-ingest"
}

run "notifies_the_function_for_csv_and_tsv_plain_or_gzip_through_a_scoped_permission" {
  command = plan

  module {
    source = "./modules/s3_notification"
  }

  assert {
    condition     = aws_s3_bucket_notification.this.bucket == var.bucket_id
    error_message = "The notification must be configured on the source bucket."
  }

  assert {
    condition     = length(aws_s3_bucket_notification.this.lambda_function) == 4
    error_message = "There must be exactly four rules: .csv, .csv.gz, .tsv and .tsv.gz."
  }

  assert {
    condition     = toset([for f in aws_s3_bucket_notification.this.lambda_function : f.filter_suffix]) == toset([".csv", ".csv.gz", ".tsv", ".tsv.gz"])
    error_message = "The rules must filter on the suffixes .csv, .csv.gz, .tsv and .tsv.gz."
  }

  assert {
    condition = alltrue([
      for f in aws_s3_bucket_notification.this.lambda_function :
      f.filter_prefix == "incoming/" &&
      toset(f.events) == toset(["s3:ObjectCreated:*"]) &&
      f.lambda_function_arn == var.function_arn
    ])
    error_message = "Every rule must send s3:ObjectCreated:* under incoming/ to the function."
  }

  assert {
    condition     = length(aws_s3_bucket_notification.this.queue) == 0 && length(aws_s3_bucket_notification.this.topic) == 0
    error_message = "Only the Lambda function may be notified."
  }

  assert {
    condition = (
      aws_lambda_permission.this.principal == "s3.amazonaws.com" &&
      aws_lambda_permission.this.action == "lambda:InvokeFunction" &&
      aws_lambda_permission.this.function_name == var.function_name
    )
    error_message = "S3 must be allowed to invoke the function, and nothing else."
  }

  assert {
    condition     = aws_lambda_permission.this.source_arn == var.bucket_arn && aws_lambda_permission.this.source_account == "123456789012"
    error_message = "The permission must be scoped by source_arn (the bucket) and source_account."
  }
}

run "custom_upload_prefix" {
  command = plan

  module {
    source = "./modules/s3_notification"
  }

  variables {
    upload_prefix = "drop/csv/"
  }

  assert {
    condition     = alltrue([for f in aws_s3_bucket_notification.this.lambda_function : f.filter_prefix == "drop/csv/"])
    error_message = "The rules must follow upload_prefix."
  }

  assert {
    condition     = length(distinct([for f in aws_s3_bucket_notification.this.lambda_function : f.id])) == 4
    error_message = "Each rule needs its own id."
  }
}

run "an_empty_upload_prefix_covers_the_whole_bucket" {
  command = plan

  module {
    source = "./modules/s3_notification"
  }

  variables {
    upload_prefix = ""
  }

  assert {
    condition     = alltrue([for f in aws_s3_bucket_notification.this.lambda_function : f.filter_prefix == "" && startswith(f.id, "csv2ddb-")])
    error_message = "An empty upload prefix filters on suffixes only, with rule ids that still name something."
  }
}

run "rejects_overlapping_suffixes_and_other_events" {
  command = plan

  module {
    source = "./modules/s3_notification"
  }

  variables {
    filter_suffixes = [".csv", "data.csv"]
    events          = ["s3:ObjectRemoved:*"]
  }

  expect_failures = [var.filter_suffixes, var.events]
}
