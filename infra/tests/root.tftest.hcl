# The root module as terraform.tfvars configures it: how the modules are wired.

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012", arn = "arn:aws:iam::123456789012:user/test", user_id = "AIDATEST" }
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

# The real package may not be built when the infrastructure is tested.
variables {
  lambda_zip_path = "tests/fixtures/lambda.zip"
}

run "tfvars_design_defaults" {
  command = plan

  assert {
    condition = (
      var.region == "eu-west-1" &&
      var.table.name == "csv2ddb-items" &&
      var.table.hash_key.name == "ID" &&
      var.table.hash_key.type == "N" &&
      var.table.range_key == null &&
      var.table.billing_mode == "PROVISIONED" &&
      var.table.read_capacity == 5 &&
      var.table.write_capacity == 5
    )
    error_message = "terraform.tfvars must describe the design's table: csv2ddb-items, ID (N), PROVISIONED 5/5."
  }

  assert {
    condition = (
      output.upload_prefix == "incoming/" &&
      output.report_prefix == "reports/" &&
      output.rejected_prefix == "rejected/" &&
      output.table_name == "csv2ddb-items" &&
      output.function_name == "csv2ddb-ingest" &&
      output.schema_s3_key == null
    )
    error_message = "The outputs must name the prefixes, the table and the function."
  }

  assert {
    condition     = module.table[0].dynamodb_table_key_schema.hash_key.name == "ID" && module.table[0].dynamodb_table_key_schema.hash_key.type == "N" && module.table[0].dynamodb_table_key_schema.range_key == null
    error_message = "The table must get the key schema from var.table."
  }
}

run "function_is_wired_to_bucket_table_and_prefixes" {
  command = plan

  assert {
    condition = module.lambda_function.lambda_function_environment == {
      TABLE_NAME                   = "csv2ddb-items"
      SOURCE_BUCKET                = "csv2ddb-source-123456789012-eu-west-1"
      UPLOAD_PREFIX                = "incoming/"
      REPORT_PREFIX                = "reports/"
      REJECTED_PREFIX              = "rejected/"
      TYPE_MODE                    = "infer"
      CONTINUATION_MARGIN_MS       = "60000"
      WRITE_CONCURRENCY            = "16"
      MAX_WRITE_ATTEMPTS           = "10"
      LOG_LEVEL                    = "INFO"
      LEDGER_TABLE                 = "csv2ddb-ledger"
      POWERTOOLS_SERVICE_NAME      = "csv2ddb"
      POWERTOOLS_METRICS_NAMESPACE = "csv2ddb"
    }
    error_message = "The function must be configured from terraform.tfvars and name the source bucket and the table."
  }

  assert {
    condition     = module.lambda_code.s3_object_key == "csv2ddb-ingest/lambda.zip" && module.lambda_code.s3_object_source_base64sha256 == filebase64sha256("tests/fixtures/lambda.zip")
    error_message = "The package must be uploaded to the code bucket, its hash passed on to the function."
  }

  assert {
    condition     = length(module.schema) == 0
    error_message = "Without schema_file nothing is uploaded as a schema."
  }
}

run "long_files_may_continue_recursively" {
  command = plan

  assert {
    condition = (
      var.lambda_recursive_loop == "Allow" &&
      module.lambda_function.lambda_function_recursive_loop == "Allow"
    )
    error_message = "terraform.tfvars must let the function invoke itself past Lambda's recursive loop detection (Allow)."
  }
}

run "recursive_loop_detection_can_be_restored" {
  command = plan

  variables {
    lambda_recursive_loop = "Terminate"
  }

  assert {
    condition     = module.lambda_function.lambda_function_recursive_loop == "Terminate"
    error_message = "lambda_recursive_loop must reach the function's recursion config."
  }
}

run "schema_file_is_uploaded_and_named" {
  command = plan

  variables {
    schema_file = "tests/fixtures/schema.json"
  }

  assert {
    condition     = length(module.schema) == 1 && module.schema[0].s3_object_key == "config/schema.json"
    error_message = "The schema must be uploaded to config/schema.json."
  }

  assert {
    condition     = module.lambda_function.lambda_function_environment["SCHEMA_S3_KEY"] == "config/schema.json" && output.schema_s3_key == "config/schema.json"
    error_message = "The function must get SCHEMA_S3_KEY."
  }

  assert {
    condition     = module.schema[0].s3_object_source_exists
    error_message = "The schema file must be found relative to infra/."
  }
}

run "account_id_skips_the_caller_identity_lookup" {
  command = plan

  variables {
    account_id = "210987654321"
    region     = "us-east-2"
    project    = "acme-csv"
  }

  assert {
    condition     = length(data.aws_caller_identity.current) == 0
    error_message = "With account_id set, sts:GetCallerIdentity must not be called."
  }

  assert {
    condition = (
      module.lambda_function.lambda_function_environment["SOURCE_BUCKET"] == "acme-csv-source-210987654321-us-east-2" &&
      output.function_name == "acme-csv-ingest"
    )
    error_message = "Names must derive from project, account and region."
  }
}

run "plans_before_the_package_is_built" {
  command = plan

  variables {
    lambda_zip_path = "tests/fixtures/not-built-yet.zip"
  }

  # Only the check block complains (a warning outside `terraform test`).
  expect_failures = [check.lambda_package_built]

  assert {
    condition     = !module.lambda_code.s3_object_source_exists && module.lambda_code.s3_object_source_base64sha256 == null
    error_message = "A missing package must not break the plan."
  }
}
