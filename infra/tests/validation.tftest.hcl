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
    var.lambda_maximum_retry_attempts,
    var.lambda_maximum_event_age_s,
    var.lambda_recursive_loop,
  ]
}

run "prefixes_names_and_contacts_must_be_well_formed" {
  command = plan

  variables {
    report_prefix   = "reports/$${aws:username}/"
    rejected_prefix = ""
    project         = "CSV2DDB"
    account_id      = "1234"
    alarm_email     = "not-an-address"
  }

  expect_failures = [
    var.report_prefix,
    var.rejected_prefix,
    var.project,
    var.account_id,
    var.alarm_email,
  ]
}

run "margin_must_be_at_least_a_second" {
  command = plan

  variables {
    continuation_margin_ms = 500
  }

  expect_failures = [var.continuation_margin_ms]
}

run "margin_must_leave_the_timeout_room" {
  command = plan

  variables {
    lambda_timeout_s       = 60
    continuation_margin_ms = 60000
  }

  expect_failures = [var.continuation_margin_ms]
}

run "margin_may_be_one_second_and_prefixes_need_no_slash" {
  command = plan

  variables {
    continuation_margin_ms = 1000
    upload_prefix          = ""
    report_prefix          = "out-reports"
    rejected_prefix        = "out-rejected"
  }

  assert {
    condition     = module.lambda_function.lambda_function_environment["UPLOAD_PREFIX"] == "" && module.lambda_function.lambda_function_environment["CONTINUATION_MARGIN_MS"] == "1000"
    error_message = "An empty upload prefix (the whole bucket) and a one-second margin are valid, as the function takes them."
  }
}

run "output_prefixes_must_not_hold_the_upload_prefix" {
  command = plan

  variables {
    upload_prefix   = "reports/in/"
    rejected_prefix = "reports/in"
  }

  expect_failures = [var.report_prefix, var.rejected_prefix]
}

run "schema_key_must_be_an_object_key" {
  command = plan

  variables {
    schema_key = "config/"
  }

  expect_failures = [var.schema_key]
}

run "schema_key_must_not_be_output_or_an_upload" {
  command = plan

  variables {
    schema_key = "reports/schema.json"
  }

  expect_failures = [var.schema_key]
}

run "schema_key_must_not_invoke_the_function" {
  command = plan

  variables {
    schema_key = "config/schema.csv"
  }

  expect_failures = [var.schema_key]
}

run "an_existing_bucket_needs_its_notifications_acknowledged" {
  command = plan

  variables {
    existing_bucket_name = "acme-landing"
  }

  expect_failures = [var.existing_bucket_notifications]
}

run "datasets_must_be_sub_prefixes_with_one_table_each" {
  command = plan

  variables {
    datasets = {
      "incoming/orders/" = { existing_table_name = "Orders" }
    }
  }

  expect_failures = [var.datasets]
}

run "a_dataset_takes_a_new_or_an_existing_table_not_both" {
  command = plan

  variables {
    datasets = {
      "orders/" = {
        existing_table_name = "Orders"
        table               = { name = "Orders", hash_key = { name = "id", type = "S" } }
      }
    }
  }

  expect_failures = [var.datasets]
}

run "upload_prefix_must_not_widen_the_grants" {
  command = plan

  variables {
    upload_prefix = "incoming/*"
  }

  expect_failures = [var.upload_prefix]
}
