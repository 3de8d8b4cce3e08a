# modules/execution_role: least privilege, every grant on one bucket prefix,
# one table, one log group, one function, one queue.

mock_provider "aws" {
  mock_data "aws_partition" {
    defaults = { partition = "aws", dns_suffix = "amazonaws.com", id = "aws" }
  }
  mock_data "aws_region" {
    defaults = { name = "eu-west-1", id = "eu-west-1" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

variables {
  role_name          = "csv2ddb-ingest"
  account_id         = "123456789012"
  function_name      = "csv2ddb-ingest"
  source_bucket_name = "csv2ddb-source-123456789012-eu-west-1"
  upload_prefix      = "incoming/"
  report_prefix      = "reports/"
  rejected_prefix    = "rejected/"
  table_arns         = ["arn:aws:dynamodb:eu-west-1:123456789012:table/csv2ddb-items"]
  failure_queue_name = "csv2ddb-ingest-failures"
}

run "grants_exactly_the_pipeline_actions" {
  command = plan

  module {
    source = "./modules/execution_role"
  }

  assert {
    condition = jsonencode({
      for s in data.aws_iam_policy_document.this.statement : s.sid => [s.effect, sort(s.actions), sort(s.resources)]
      }) == jsonencode({
      ReadUploads = ["Allow",
        ["s3:GetObject", "s3:GetObjectVersion"],
        ["arn:aws:s3:::csv2ddb-source-123456789012-eu-west-1/incoming/*"],
      ]
      WriteReportsAndRejectedRows = ["Allow",
        ["s3:AbortMultipartUpload", "s3:PutObject"],
        [
          "arn:aws:s3:::csv2ddb-source-123456789012-eu-west-1/rejected/*",
          "arn:aws:s3:::csv2ddb-source-123456789012-eu-west-1/reports/*",
        ],
      ]
      ReadAndDeleteRejectedRows = ["Allow",
        ["s3:DeleteObject", "s3:GetObject"],
        ["arn:aws:s3:::csv2ddb-source-123456789012-eu-west-1/rejected/*"],
      ]
      WriteItems = ["Allow",
        ["dynamodb:BatchWriteItem", "dynamodb:DescribeTable"],
        ["arn:aws:dynamodb:eu-west-1:123456789012:table/csv2ddb-items"],
      ]
      WriteLogs = ["Allow",
        ["logs:CreateLogStream", "logs:PutLogEvents"],
        ["arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/csv2ddb-ingest:*"],
      ]
      ContinueInNewInvocation = ["Allow",
        ["lambda:InvokeFunction"],
        ["arn:aws:lambda:eu-west-1:123456789012:function:csv2ddb-ingest"],
      ]
      SendToFailureQueue = ["Allow",
        ["sqs:SendMessage"],
        ["arn:aws:sqs:eu-west-1:123456789012:csv2ddb-ingest-failures"],
      ]
    })
    error_message = "The role's statements must be exactly the pipeline's actions on its own resources."
  }

  assert {
    condition = alltrue(flatten([
      for s in data.aws_iam_policy_document.this.statement : concat(
        [for a in s.actions : !strcontains(a, "*")],
        [for r in s.resources : r != "*" && !startswith(r, "arn:aws:s3:::csv2ddb-source-123456789012-eu-west-1/*")],
        [try(length(s.not_actions), 0) == 0, try(length(s.not_resources), 0) == 0],
      )
    ]))
    error_message = "No wildcard action, no '*' resource, no whole-bucket grant, no NotAction/NotResource."
  }

  assert {
    condition     = aws_iam_role_policy.this.policy == data.aws_iam_policy_document.this.json && length(aws_iam_role_policy.schema) == 0 && length(aws_iam_role_policy.ledger) == 0
    error_message = "One inline policy, without schema or ledger access when there is neither."
  }
}

run "trusts_only_lambda_in_this_account" {
  command = plan

  module {
    source = "./modules/execution_role"
  }

  assert {
    condition = (
      length(data.aws_iam_policy_document.assume_role.statement) == 1 &&
      toset(data.aws_iam_policy_document.assume_role.statement[0].actions) == toset(["sts:AssumeRole"]) &&
      data.aws_iam_policy_document.assume_role.statement[0].principals == toset([{ type = "Service", identifiers = toset(["lambda.amazonaws.com"]) }])
    )
    error_message = "Only lambda.amazonaws.com may assume the role."
  }

  assert {
    condition = data.aws_iam_policy_document.assume_role.statement[0].condition == toset([{
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = tolist(["123456789012"])
    }])
    error_message = "The trust policy must require aws:SourceAccount = the account."
  }

  assert {
    condition     = aws_iam_role.this.name == "csv2ddb-ingest" && aws_iam_role.this.assume_role_policy == data.aws_iam_policy_document.assume_role.json
    error_message = "The role must use the trust policy."
  }
}

run "reads_the_schema_object_only_when_there_is_one" {
  command = plan

  module {
    source = "./modules/execution_role"
  }

  variables {
    schema_object_keys = ["config/schema.json"]
  }

  assert {
    condition = (
      length(data.aws_iam_policy_document.schema) == 1 &&
      length(data.aws_iam_policy_document.schema[0].statement) == 1 &&
      toset(data.aws_iam_policy_document.schema[0].statement[0].actions) == toset(["s3:GetObject"]) &&
      toset(data.aws_iam_policy_document.schema[0].statement[0].resources) == toset(["arn:aws:s3:::csv2ddb-source-123456789012-eu-west-1/config/schema.json"])
    )
    error_message = "With a schema the role may s3:GetObject that one object, nothing more."
  }

  assert {
    condition     = length(aws_iam_role_policy.schema) == 1
    error_message = "The schema grant must be attached to the role."
  }
}

run "rejects_wildcards_in_prefixes" {
  command = plan

  module {
    source = "./modules/execution_role"
  }

  variables {
    upload_prefix      = "*"
    report_prefix      = "reports?"
    rejected_prefix    = ""
    schema_object_keys = ["config/*"]
    table_arns         = ["arn:aws:dynamodb:eu-west-1:123456789012:table/*"]
    ledger_table_name  = "*"
  }

  expect_failures = [var.upload_prefix, var.report_prefix, var.rejected_prefix, var.schema_object_keys, var.table_arns, var.ledger_table_name]
}

run "an_empty_upload_prefix_reads_the_whole_bucket" {
  command = plan

  module {
    source = "./modules/execution_role"
  }

  variables {
    upload_prefix = ""
  }

  assert {
    condition     = [for s in data.aws_iam_policy_document.this.statement : s.resources if s.sid == "ReadUploads"][0] == toset(["arn:aws:s3:::csv2ddb-source-123456789012-eu-west-1/*"])
    error_message = "An empty upload prefix reads every key of the bucket (and only that bucket)."
  }
}

run "writes_every_table_and_keeps_the_ledger_with_four_actions" {
  command = plan

  module {
    source = "./modules/execution_role"
  }

  variables {
    table_arns = [
      "arn:aws:dynamodb:eu-west-1:123456789012:table/csv2ddb-items",
      "arn:aws:dynamodb:eu-west-1:123456789012:table/Orders",
    ]
    ledger_table_name = "csv2ddb-ledger"
  }

  assert {
    condition = [for s in data.aws_iam_policy_document.this.statement : s.resources if s.sid == "WriteItems"][0] == toset([
      "arn:aws:dynamodb:eu-west-1:123456789012:table/csv2ddb-items",
      "arn:aws:dynamodb:eu-west-1:123456789012:table/Orders",
    ])
    error_message = "The role writes items to exactly the tables it is given."
  }

  assert {
    condition = (
      length(aws_iam_role_policy.ledger) == 1 &&
      length(data.aws_iam_policy_document.ledger[0].statement) == 1 &&
      toset(data.aws_iam_policy_document.ledger[0].statement[0].actions) == toset(["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]) &&
      toset(data.aws_iam_policy_document.ledger[0].statement[0].resources) == toset(["arn:aws:dynamodb:eu-west-1:123456789012:table/csv2ddb-ledger"])
    )
    error_message = "The ledger grant is GetItem, PutItem, UpdateItem and DeleteItem on the ledger table's ARN, nothing more."
  }
}
