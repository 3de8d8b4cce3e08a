# Write modes: the execution role gets exactly the DynamoDB actions the modes
# send (BatchWriteItem for put and delete, PartiQL statements for the rest), on
# the destination tables only; the modes come from write_modes and from the
# `write` blocks of the schema files Terraform uploads.

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
  # The module's inputs (the root module ignores the ones it does not declare).
  role_name          = "csv2ddb-ingest"
  account_id         = "123456789012"
  function_name      = "csv2ddb-ingest"
  source_bucket_name = "csv2ddb-source-123456789012-eu-west-1"
  upload_prefix      = "incoming/"
  report_prefix      = "reports/"
  rejected_prefix    = "rejected/"
  table_arns         = ["arn:aws:dynamodb:eu-west-1:123456789012:table/csv2ddb-items", "arn:aws:dynamodb:eu-west-1:123456789012:table/Orders"]
  failure_queue_name = "csv2ddb-ingest-failures"
  lambda_zip_path    = "tests/fixtures/lambda.zip"
}

run "put_is_batch_write_item_only" {
  command = plan
  module {
    source = "./modules/execution_role"
  }
  variables {
    write_modes = ["put"]
  }

  assert {
    condition = jsonencode([
      for s in data.aws_iam_policy_document.this.statement : [sort(s.actions), sort(s.resources)] if s.sid == "WriteItems"
      ]) == jsonencode([[
        ["dynamodb:BatchWriteItem", "dynamodb:DescribeTable"],
        ["arn:aws:dynamodb:eu-west-1:123456789012:table/Orders", "arn:aws:dynamodb:eu-west-1:123456789012:table/csv2ddb-items"],
    ]])
    error_message = "put: BatchWriteItem (and DescribeTable) on the two tables, no PartiQL."
  }

  assert {
    condition = alltrue(flatten([
      for s in data.aws_iam_policy_document.this.statement : [
        for a in s.actions : !strcontains(a, "*") && !startswith(a, "dynamodb:PartiQL")
      ]
    ])) && output.execution_role_table_actions == tolist(["dynamodb:BatchWriteItem", "dynamodb:DescribeTable"])
    error_message = "put: no wildcard action and no PartiQL action anywhere in the role."
  }
}

run "upsert_updates_then_inserts" {
  command = plan
  module {
    source = "./modules/execution_role"
  }
  variables {
    write_modes = ["upsert"]
  }

  assert {
    condition     = output.execution_role_table_actions == tolist(["dynamodb:DescribeTable", "dynamodb:PartiQLInsert", "dynamodb:PartiQLUpdate"])
    error_message = "upsert: PartiQLUpdate and PartiQLInsert (and DescribeTable), no BatchWriteItem."
  }

  assert {
    condition = [
      for s in data.aws_iam_policy_document.this.statement : sort(s.resources) if s.sid == "WriteItems"
    ][0] == sort(var.table_arns)
    error_message = "upsert: on the table ARNs only."
  }
}

run "put_absent_only_inserts" {
  command = plan
  module {
    source = "./modules/execution_role"
  }
  variables {
    write_modes = ["put:absent"]
  }

  assert {
    condition     = output.execution_role_table_actions == tolist(["dynamodb:DescribeTable", "dynamodb:PartiQLInsert"])
    error_message = "put:absent: PartiQLInsert only (and DescribeTable)."
  }
}

run "upsert_newer_updates_then_inserts" {
  command = plan
  module {
    source = "./modules/execution_role"
  }
  variables {
    write_modes = ["upsert:newer"]
  }

  assert {
    condition     = output.execution_role_table_actions == tolist(["dynamodb:DescribeTable", "dynamodb:PartiQLInsert", "dynamodb:PartiQLUpdate"])
    error_message = "upsert:newer: PartiQLUpdate and PartiQLInsert (and DescribeTable)."
  }
}

run "delete_is_batch_write_item" {
  command = plan
  module {
    source = "./modules/execution_role"
  }
  variables {
    write_modes = ["delete"]
  }

  assert {
    condition     = output.execution_role_table_actions == tolist(["dynamodb:BatchWriteItem", "dynamodb:DescribeTable"])
    error_message = "delete: BatchWriteItem's DeleteRequest (and DescribeTable)."
  }
}

run "delete_newer_is_a_partiql_delete" {
  command = plan
  module {
    source = "./modules/execution_role"
  }
  variables {
    write_modes = ["delete:newer"]
  }

  assert {
    condition     = output.execution_role_table_actions == tolist(["dynamodb:DescribeTable", "dynamodb:PartiQLDelete"])
    error_message = "delete:newer: PartiQLDelete only (and DescribeTable)."
  }
}

run "every_mode_together_still_names_each_action" {
  command = plan
  module {
    source = "./modules/execution_role"
  }
  variables {
    write_modes = ["put", "upsert", "delete", "put:absent", "upsert:absent", "put:newer", "upsert:newer", "delete:newer"]
  }

  assert {
    condition = output.execution_role_table_actions == tolist([
      "dynamodb:BatchWriteItem", "dynamodb:DescribeTable", "dynamodb:PartiQLDelete", "dynamodb:PartiQLInsert", "dynamodb:PartiQLUpdate",
    ])
    error_message = "All modes: the four write actions and DescribeTable, each named (no dynamodb:* or PartiQL*)."
  }

  assert {
    condition = alltrue(flatten([
      for s in data.aws_iam_policy_document.this.statement : concat(
        [for a in s.actions : !strcontains(a, "*")],
        [for r in s.resources : r != "*" && (!startswith(r, "arn:aws:dynamodb:") || contains(var.table_arns, r))],
      )
    ]))
    error_message = "No wildcard action, and DynamoDB resources are exactly the table ARNs."
  }
}

run "module_refuses_delete_absent_and_unknown_modes" {
  command = plan
  module {
    source = "./modules/execution_role"
  }
  variables {
    write_modes = ["delete:absent", "merge"]
  }
  expect_failures = [var.write_modes]
}

# The root module: write_modes in tfvars, and schema files' `write` blocks.

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
