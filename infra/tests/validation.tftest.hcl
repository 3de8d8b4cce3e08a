# Bad values in terraform.tfvars are refused with a message naming the variable.

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

run "billing_mode_must_be_known" {
  command = plan

  variables {
    table = {
      name         = "csv2ddb-items"
      hash_key     = { name = "ID", type = "N" }
      billing_mode = "ON_DEMAND"
    }
  }

  expect_failures = [var.table]
}

run "key_types_must_be_s_n_or_b" {
  command = plan

  variables {
    table = {
      name      = "csv2ddb-items"
      hash_key  = { name = "ID", type = "N" }
      range_key = { name = "Sort", type = "STRING" }
    }
  }

  expect_failures = [var.table]
}

run "sort_key_must_differ_from_partition_key" {
  command = plan

  variables {
    table = {
      name      = "csv2ddb-items"
      hash_key  = { name = "ID", type = "N" }
      range_key = { name = "ID", type = "S" }
    }
  }

  expect_failures = [var.table]
}

run "schema_file_must_hold_json" {
  command = plan

  variables {
    schema_file = "tests/fixtures/invalid-schema.json"
  }

  expect_failures = [var.schema_file]
}

run "schema_file_must_hold_an_object" {
  command = plan

  variables {
    schema_file = "tests/fixtures/array-schema.json"
  }

  expect_failures = [var.schema_file]
}

run "schema_file_must_exist" {
  command = plan

  variables {
    schema_file = "tests/fixtures/no-such-schema.json"
  }

  expect_failures = [var.schema_file]
}

run "function_settings_must_be_in_range" {
  command = plan

  variables {
    type_mode                     = "auto"
    log_level                     = "VERBOSE"
    log_retention_days            = 10
    lambda_timeout_s              = 901
    lambda_memory_mb              = 64
    write_concurrency             = 0
    max_write_attempts            = 0
    continuation_margin_ms        = 500
    lambda_maximum_retry_attempts = 3
    lambda_maximum_event_age_s    = 30
    lambda_recursive_loop         = "Disabled"
  }

  expect_failures = [
    var.type_mode,
    var.log_level,
    var.log_retention_days,
    var.lambda_timeout_s,
    var.lambda_memory_mb,
    var.write_concurrency,
    var.max_write_attempts,
    var.continuation_margin_ms,
    var.lambda_maximum_retry_attempts,
    var.lambda_maximum_event_age_s,
    var.lambda_recursive_loop,
  ]
}

run "prefixes_names_and_contacts_must_be_well_formed" {
  command = plan

  variables {
    upload_prefix   = "incoming"
    report_prefix   = "/reports/"
    rejected_prefix = ""
    schema_key      = "config/"
    project         = "CSV2DDB"
    account_id      = "1234"
    alarm_email     = "not-an-address"
  }

  expect_failures = [
    var.upload_prefix,
    var.report_prefix,
    var.rejected_prefix,
    var.schema_key,
    var.project,
    var.account_id,
    var.alarm_email,
  ]
}
