# The system that uploads needs far less than the function: putting files under
# upload_prefix (multipart included: CreateMultipartUpload, UploadPart and
# CompleteMultipartUpload are s3:PutObject) and reading what became of them.
# Written with jsonencode rather than a policy document data source, so the plan
# (and terraform test) holds the very JSON that IAM gets.
locals {
  uploader_policy = {
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "UploadFiles"
        Effect   = "Allow"
        Action   = ["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]
        Resource = ["${local.bucket_arn}/${var.upload_prefix}*"]
      },
      {
        Sid      = "ReadReportsAndRejectedRows"
        Effect   = "Allow"
        Action   = ["s3:GetObject"]
        Resource = distinct(["${local.bucket_arn}/${var.report_prefix}*", "${local.bucket_arn}/${var.rejected_prefix}*"])
      },
    ]
  }
}

resource "aws_iam_policy" "uploader" {
  count = var.uploader_policy_enabled ? 1 : 0

  name        = "${var.project}-uploader"
  description = "Upload CSV files to s3://${local.bucket_name}/${var.upload_prefix} and read their reports and rejected rows"
  policy      = jsonencode(local.uploader_policy)
}
