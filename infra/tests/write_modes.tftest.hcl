# Write modes, module execution_role: the role gets exactly the DynamoDB actions
# the modes send (BatchWriteItem for put and delete, PartiQL statements for the
# rest), on the destination tables only. Where the modes come from (write_modes,
# schema files): write_modes_root.tftest.hcl.

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
  # The module's inputs.
  role_name          = "csv2ddb-ingest"
  account_id         = "123456789012"
  function_name      = "csv2ddb-ingest"
  source_bucket_name = "csv2ddb-source-123456789012-eu-west-1"
  upload_prefix      = "incoming/"
  report_prefix      = "reports/"
  rejected_prefix    = "rejected/"
  table_arns         = ["arn:aws:dynamodb:eu-west-1:123456789012:table/csv2ddb-items", "arn:aws:dynamodb:eu-west-1:123456789012:table/Orders"]
  failure_queue_name = "csv2ddb-ingest-failures"
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
