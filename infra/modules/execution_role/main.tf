data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  partition = data.aws_partition.current.partition
  region    = data.aws_region.current.id

  # ARNs are built from names: the role does not depend on the resources that
  # depend on it (the function, its queue), and the policy is known at plan time.
  bucket_arn         = "arn:${local.partition}:s3:::${var.source_bucket_name}"
  function_arn       = "arn:${local.partition}:lambda:${local.region}:${var.account_id}:function:${var.function_name}"
  log_group_arn      = "arn:${local.partition}:logs:${local.region}:${var.account_id}:log-group:/aws/lambda/${var.function_name}"
  failure_queue_arn  = "arn:${local.partition}:sqs:${local.region}:${var.account_id}:${var.failure_queue_name}"
  ledger_table_arn   = "arn:${local.partition}:dynamodb:${local.region}:${var.account_id}:table/${coalesce(var.ledger_table_name, "-")}"
  schema_object_arns = [for k in var.schema_object_keys : "${local.bucket_arn}/${k}"]
  upload_objects_arn = "${local.bucket_arn}/${var.upload_prefix}*"
  report_objects_arn = "${local.bucket_arn}/${var.report_prefix}*"
  reject_objects_arn = "${local.bucket_arn}/${var.rejected_prefix}*"

  # What each write mode sends (docs/write-modes.md): plain puts and deletes are
  # BatchWriteItem; the rest are PartiQL statements in BatchExecuteStatement,
  # which IAM authorizes per statement (INSERT, UPDATE, DELETE).
  write_mode_actions = {
    "put"           = ["dynamodb:BatchWriteItem"]
    "delete"        = ["dynamodb:BatchWriteItem"]
    "put:absent"    = ["dynamodb:PartiQLInsert"]
    "upsert:absent" = ["dynamodb:PartiQLInsert"]
    "upsert"        = ["dynamodb:PartiQLUpdate", "dynamodb:PartiQLInsert"]
    "put:newer"     = ["dynamodb:PartiQLUpdate", "dynamodb:PartiQLInsert"]
    "upsert:newer"  = ["dynamodb:PartiQLUpdate", "dynamodb:PartiQLInsert"]
    "delete:newer"  = ["dynamodb:PartiQLDelete"]
  }
  # DescribeTable reads the key schema whatever the mode.
  table_actions = sort(distinct(concat(
    ["dynamodb:DescribeTable"],
    flatten([for m in var.write_modes : local.write_mode_actions[m]]),
  )))
}

data "aws_iam_policy_document" "assume_role" {
  statement {
    sid     = "LambdaAssumeRole"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [var.account_id]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = var.role_name
  description        = "Execution role of the ${var.function_name} Lambda function"
  assume_role_policy = data.aws_iam_policy_document.assume_role.json

  tags = var.tags
}

data "aws_iam_policy_document" "this" {
  statement {
    sid       = "ReadUploads"
    effect    = "Allow"
    actions   = ["s3:GetObject", "s3:GetObjectVersion"]
    resources = [local.upload_objects_arn]
  }

  statement {
    sid       = "WriteReportsAndRejectedRows"
    effect    = "Allow"
    actions   = ["s3:PutObject", "s3:AbortMultipartUpload"]
    resources = [local.report_objects_arn, local.reject_objects_arn]
  }

  # A continued file keeps its rejected rows in part objects, moves an earlier
  # rejected-rows file aside (a server-side copy reads its source) and joins
  # the parts at the end, then removes them; a clean reprocessing removes an
  # earlier rejected-rows file.
  statement {
    sid       = "ReadAndDeleteRejectedRows"
    effect    = "Allow"
    actions   = ["s3:GetObject", "s3:DeleteObject"]
    resources = [local.reject_objects_arn]
  }

  statement {
    sid       = "WriteItems"
    effect    = "Allow"
    actions   = local.table_actions
    resources = var.table_arns
  }

  statement {
    sid       = "WriteLogs"
    effect    = "Allow"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.log_group_arn}:*"]
  }

  # Files that outlast one invocation continue in an asynchronous invocation of
  # the same function.
  statement {
    sid       = "ContinueInNewInvocation"
    effect    = "Allow"
    actions   = ["lambda:InvokeFunction"]
    resources = [local.function_arn]
  }

  # Lambda sends failed asynchronous events to the on-failure destination with
  # the function's own role.
  statement {
    sid       = "SendToFailureQueue"
    effect    = "Allow"
    actions   = ["sqs:SendMessage"]
    resources = [local.failure_queue_arn]
  }
}

resource "aws_iam_role_policy" "this" {
  name   = "ingest"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}

data "aws_iam_policy_document" "schema" {
  count = length(var.schema_object_keys) == 0 ? 0 : 1

  statement {
    sid       = "ReadSchema"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = local.schema_object_arns
  }
}

resource "aws_iam_role_policy" "schema" {
  count = length(var.schema_object_keys) == 0 ? 0 : 1

  name   = "read-schema"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.schema[0].json
}

# The file ledger: claims and leases are single-item reads and conditional writes.
data "aws_iam_policy_document" "ledger" {
  count = var.ledger_table_name == null ? 0 : 1

  statement {
    sid       = "KeepTheFileLedger"
    effect    = "Allow"
    actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]
    resources = [local.ledger_table_arn]
  }
}

resource "aws_iam_role_policy" "ledger" {
  count = var.ledger_table_name == null ? 0 : 1

  name   = "file-ledger"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.ledger[0].json
}
