# The same plan with the real hashicorp/aws provider instead of a mock: it runs
# offline (placeholder credentials, every start-up call skipped, account_id set
# so sts:GetCallerIdentity is not called), validates the rendered policy JSON,
# and lets these runs assert on the JSON that AWS would receive.

provider "aws" {
  region                      = "eu-west-1"
  access_key                  = "placeholder"
  secret_key                  = "placeholder"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}

variables {
  account_id      = "123456789012"
  lambda_zip_path = "tests/fixtures/lambda.zip"
}

run "root_plans_with_the_real_provider" {
  command = plan

  variables {
    schema_file = "tests/fixtures/schema.json"
  }

  assert {
    condition     = output.table_name == "csv2ddb-items" && output.function_name == "csv2ddb-ingest" && output.schema_s3_key == "config/schema.json"
    error_message = "The whole configuration must plan with the real provider."
  }
}

run "role_policy_json_has_no_wildcards" {
  command = plan

  module {
    source = "./modules/execution_role"
  }

  variables {
    role_name          = "csv2ddb-ingest"
    function_name      = "csv2ddb-ingest"
    source_bucket_name = "csv2ddb-source-123456789012-eu-west-1"
    upload_prefix      = "incoming/"
    report_prefix      = "reports/"
    rejected_prefix    = "rejected/"
    schema_object_keys = ["config/schema.json"]
    table_arns         = ["arn:aws:dynamodb:eu-west-1:123456789012:table/csv2ddb-items"]
    ledger_table_name  = "csv2ddb-ledger"
    failure_queue_name = "csv2ddb-ingest-failures"
  }

  assert {
    condition = alltrue(flatten([
      for s in concat(
        jsondecode(aws_iam_role_policy.this.policy).Statement,
        jsondecode(aws_iam_role_policy.schema[0].policy).Statement,
        jsondecode(aws_iam_role_policy.ledger[0].policy).Statement,
      ) :
      [
        s.Effect == "Allow",
        alltrue([for a in flatten([s.Action]) : !strcontains(a, "*")]),
        alltrue([for r in flatten([s.Resource]) : r != "*" && can(regex("^arn:aws:[a-z0-9]+:", r))]),
        !can(s.NotAction),
        !can(s.NotResource),
      ]
    ]))
    error_message = "The rendered role policies must only Allow literal actions on named resources."
  }

  assert {
    condition = sort(flatten([
      for s in concat(
        jsondecode(aws_iam_role_policy.this.policy).Statement,
        jsondecode(aws_iam_role_policy.schema[0].policy).Statement,
        jsondecode(aws_iam_role_policy.ledger[0].policy).Statement,
      ) : flatten([s.Action])
      ])) == sort([
      "dynamodb:BatchWriteItem", "dynamodb:DescribeTable",
      "dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
      "lambda:InvokeFunction",
      "logs:CreateLogStream", "logs:PutLogEvents",
      "s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:GetObject", "s3:GetObject", "s3:GetObjectVersion", "s3:PutObject",
      "sqs:SendMessage",
    ])
    error_message = "The rendered role policies must grant exactly the pipeline's actions."
  }

  assert {
    condition     = jsondecode(aws_iam_role.this.assume_role_policy).Statement[0].Condition == { StringEquals = { "aws:SourceAccount" = "123456789012" } }
    error_message = "The rendered trust policy must require aws:SourceAccount."
  }
}

run "bucket_policy_json_denies_plain_http" {
  command = plan

  module {
    source = "./modules/s3"
  }

  variables {
    bucket_name = "csv2ddb-source-123456789012-eu-west-1"
  }

  assert {
    condition = anytrue([
      for s in jsondecode(aws_s3_bucket_policy.this.policy).Statement :
      s.Effect == "Deny" && s.Principal == "*" && s.Action == "s3:*" &&
      try(s.Condition.Bool["aws:SecureTransport"], "") == "false" &&
      toset(s.Resource) == toset(["arn:aws:s3:::csv2ddb-source-123456789012-eu-west-1", "arn:aws:s3:::csv2ddb-source-123456789012-eu-west-1/*"])
    ])
    error_message = "The rendered bucket policy must deny requests without TLS."
  }
}

run "role_policy_json_grants_the_write_modes_actions" {
  command = plan

  module {
    source = "./modules/execution_role"
  }

  variables {
    role_name          = "csv2ddb-ingest"
    function_name      = "csv2ddb-ingest"
    source_bucket_name = "csv2ddb-source-123456789012-eu-west-1"
    upload_prefix      = "incoming/"
    report_prefix      = "reports/"
    rejected_prefix    = "rejected/"
    table_arns         = ["arn:aws:dynamodb:eu-west-1:123456789012:table/csv2ddb-items"]
    failure_queue_name = "csv2ddb-ingest-failures"
    write_modes        = ["upsert:newer", "delete:newer", "put:absent"]
  }

  assert {
    condition = jsonencode([
      for s in jsondecode(aws_iam_role_policy.this.policy).Statement : [sort(flatten([s.Action])), flatten([s.Resource])] if s.Sid == "WriteItems"
      ]) == jsonencode([[
        ["dynamodb:DescribeTable", "dynamodb:PartiQLDelete", "dynamodb:PartiQLInsert", "dynamodb:PartiQLUpdate"],
        ["arn:aws:dynamodb:eu-west-1:123456789012:table/csv2ddb-items"],
    ]])
    error_message = "The rendered policy grants the PartiQL statements the modes send (no BatchWriteItem without put or delete), on the table only."
  }
}
