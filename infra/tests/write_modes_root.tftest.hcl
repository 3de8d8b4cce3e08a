# Write modes in the root module: write_modes in terraform.tfvars, and the
# `write` blocks of the schema files Terraform uploads (schema_file, datasets),
# reach the execution role (module runs: write_modes.tftest.hcl).

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

run "root_defaults_to_put" {
  command = plan

  assert {
    condition     = var.write_modes == tolist(["put"]) && output.write_modes == tolist(["put"]) && output.write_actions == tolist(["dynamodb:BatchWriteItem", "dynamodb:DescribeTable"])
    error_message = "terraform.tfvars sets write_modes = [\"put\"]: BatchWriteItem only."
  }
}

run "root_write_modes_reach_the_role" {
  command = plan

  variables {
    write_modes = ["put", "upsert:newer"]
  }

  override_module {
    target  = module.table
    outputs = { dynamodb_table_name = "csv2ddb-items", dynamodb_table_arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/csv2ddb-items" }
  }

  assert {
    condition     = output.write_actions == tolist(["dynamodb:BatchWriteItem", "dynamodb:DescribeTable", "dynamodb:PartiQLInsert", "dynamodb:PartiQLUpdate"])
    error_message = "put and upsert:newer: BatchWriteItem, PartiQLUpdate and PartiQLInsert."
  }

  assert {
    condition     = module.execution_role.execution_role_table_arns == tolist(["arn:aws:dynamodb:eu-west-1:123456789012:table/csv2ddb-items"])
    error_message = "The actions apply to the destination table only."
  }
}

run "root_adds_the_schema_files_mode" {
  command = plan

  variables {
    schema_file = "tests/fixtures/write-upsert-newer.json"
  }

  assert {
    condition     = output.write_modes == tolist(["put", "upsert:newer"])
    error_message = "The schema's write block (upsert, newer) is added to write_modes."
  }

  assert {
    condition     = output.write_actions == tolist(["dynamodb:BatchWriteItem", "dynamodb:DescribeTable", "dynamodb:PartiQLInsert", "dynamodb:PartiQLUpdate"])
    error_message = "upsert:newer from the schema grants PartiQLUpdate and PartiQLInsert."
  }
}

run "root_op_column_allows_every_mode" {
  command = plan

  variables {
    write_modes = []
    schema_file = "tests/fixtures/write-op.json"
  }

  assert {
    condition     = output.write_modes == tolist(["delete", "put", "upsert"])
    error_message = "An op column may put, upsert or delete."
  }

  assert {
    condition     = output.write_actions == tolist(["dynamodb:BatchWriteItem", "dynamodb:DescribeTable", "dynamodb:PartiQLInsert", "dynamodb:PartiQLUpdate"])
    error_message = "put and delete: BatchWriteItem; upsert: PartiQLUpdate and PartiQLInsert; no PartiQLDelete."
  }
}

run "root_dataset_schemas_add_their_modes" {
  command = plan

  variables {
    datasets = {
      "orders/" = {
        table       = { name = "csv2ddb-orders", hash_key = { name = "OrderId", type = "S" } }
        schema_file = "tests/fixtures/write-op-absent.json"
      }
      "customers/" = {
        existing_table_name = "Customers"
        schema_file         = "tests/fixtures/write-delete.json"
      }
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
    condition     = output.write_modes == tolist(["delete", "put", "put:absent", "upsert:absent"])
    error_message = "An op column under absent may put or upsert when absent (a delete row is rejected); the other dataset deletes."
  }

  assert {
    condition     = output.write_actions == tolist(["dynamodb:BatchWriteItem", "dynamodb:DescribeTable", "dynamodb:PartiQLInsert"])
    error_message = "Inserts and batch writes, nothing more."
  }

  assert {
    condition = toset(module.execution_role.execution_role_table_arns) == toset([
      "arn:aws:dynamodb:eu-west-1:123456789012:table/csv2ddb-items",
      "arn:aws:dynamodb:eu-west-1:123456789012:table/csv2ddb-orders",
      "arn:aws:dynamodb:eu-west-1:123456789012:table/Customers",
    ])
    error_message = "The actions apply to the default table and the datasets' tables, nothing else."
  }
}

run "root_refuses_delete_absent" {
  command = plan

  variables {
    write_modes = ["put", "delete:absent"]
    schema_file = "tests/fixtures/write-delete-absent.json"
    datasets = {
      "orders/" = {
        existing_table_name = "Orders"
        schema_file         = "tests/fixtures/write-delete-absent.json"
      }
    }
  }

  expect_failures = [var.write_modes, var.schema_file, var.datasets]
}
