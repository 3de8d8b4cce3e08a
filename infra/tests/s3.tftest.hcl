# modules/s3: one bucket with its security settings.

mock_provider "aws" {
  mock_data "aws_partition" {
    defaults = { partition = "aws", dns_suffix = "amazonaws.com", id = "aws" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

variables {
  bucket_name = "csv2ddb-source-123456789012-eu-west-1"
}

run "bucket_is_private_versioned_encrypted_and_tls_only" {
  command = plan

  module {
    source = "./modules/s3"
  }

  assert {
    condition     = aws_s3_bucket.this.bucket == var.bucket_name && aws_s3_bucket.this.force_destroy == false
    error_message = "The bucket must have the given name and must not be force-destroyed by default."
  }

  assert {
    condition     = aws_s3_bucket_versioning.this.versioning_configuration[0].status == "Enabled"
    error_message = "Versioning must be enabled."
  }

  assert {
    condition = alltrue([
      aws_s3_bucket_public_access_block.this.block_public_acls,
      aws_s3_bucket_public_access_block.this.block_public_policy,
      aws_s3_bucket_public_access_block.this.ignore_public_acls,
      aws_s3_bucket_public_access_block.this.restrict_public_buckets,
    ])
    error_message = "All four public access block settings must be true."
  }

  assert {
    condition     = aws_s3_bucket_ownership_controls.this.rule[0].object_ownership == "BucketOwnerEnforced"
    error_message = "Object ownership must be BucketOwnerEnforced (ACLs disabled)."
  }

  assert {
    condition = alltrue([
      for r in aws_s3_bucket_server_side_encryption_configuration.this.rule :
      contains(["AES256", "aws:kms"], r.apply_server_side_encryption_by_default[0].sse_algorithm)
    ]) && length(aws_s3_bucket_server_side_encryption_configuration.this.rule) == 1
    error_message = "Default encryption must be SSE-S3 or SSE-KMS."
  }

  assert {
    condition = (
      aws_s3_bucket_lifecycle_configuration.this.rule[0].status == "Enabled" &&
      aws_s3_bucket_lifecycle_configuration.this.rule[0].noncurrent_version_expiration[0].noncurrent_days == 30 &&
      aws_s3_bucket_lifecycle_configuration.this.rule[0].abort_incomplete_multipart_upload[0].days_after_initiation == 7
    )
    error_message = "A lifecycle rule must expire noncurrent versions (30 days) and abort stale multipart uploads."
  }

  assert {
    condition = anytrue([
      for s in data.aws_iam_policy_document.this.statement :
      s.effect == "Deny" &&
      contains(s.actions, "s3:*") &&
      toset(s.resources) == toset([
        "arn:aws:s3:::${var.bucket_name}",
        "arn:aws:s3:::${var.bucket_name}/*",
      ]) &&
      anytrue([for p in s.principals : p.type == "*" && contains(p.identifiers, "*")]) &&
      anytrue([
        for c in s.condition :
        c.test == "Bool" && c.variable == "aws:SecureTransport" && toset(c.values) == toset(["false"])
      ])
    ])
    error_message = "The bucket policy must deny every request made without TLS (aws:SecureTransport = false) on the bucket and its objects."
  }

  assert {
    condition     = alltrue([for s in data.aws_iam_policy_document.this.statement : s.effect == "Deny"])
    error_message = "The bucket policy must only deny; access is granted by IAM."
  }

  assert {
    condition     = aws_s3_bucket_policy.this.policy == data.aws_iam_policy_document.this.json
    error_message = "The bucket policy must be the TLS policy document."
  }
}

run "invalid_bucket_name" {
  command = plan

  module {
    source = "./modules/s3"
  }

  variables {
    bucket_name                        = "CSV2DDB_Source"
    noncurrent_version_expiration_days = 0
  }

  expect_failures = [var.bucket_name, var.noncurrent_version_expiration_days]
}
