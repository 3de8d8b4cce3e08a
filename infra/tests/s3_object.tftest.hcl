# modules/s3_object: an uploaded file that is replaced when its content changes.

mock_provider "aws" {}

variables {
  bucket = "csv2ddb-code-123456789012-eu-west-1"
  key    = "csv2ddb-ingest/lambda.zip"
}

run "uploads_an_existing_file_with_its_hash" {
  command = plan

  module {
    source = "./modules/s3_object"
  }

  variables {
    source_path  = "tests/fixtures/lambda.zip"
    content_type = "application/zip"
  }

  assert {
    condition     = aws_s3_object.this.bucket == var.bucket && aws_s3_object.this.key == var.key && aws_s3_object.this.source == "tests/fixtures/lambda.zip"
    error_message = "The object must be the file at the given bucket and key."
  }

  assert {
    condition     = aws_s3_object.this.source_hash == filemd5("tests/fixtures/lambda.zip")
    error_message = "source_hash must be the file's MD5 so a changed file is uploaded again."
  }

  assert {
    condition     = output.s3_object_source_base64sha256 == filebase64sha256("tests/fixtures/lambda.zip") && output.s3_object_source_exists
    error_message = "The module must report the file's base64 SHA-256 for the function's source_code_hash."
  }
}

run "plans_without_the_file" {
  command = plan

  module {
    source = "./modules/s3_object"
  }

  variables {
    source_path = "tests/fixtures/not-built-yet.zip"
  }

  assert {
    condition     = aws_s3_object.this.source_hash == null && output.s3_object_source_base64sha256 == null && !output.s3_object_source_exists
    error_message = "A missing file must not break the plan: hashes are null."
  }
}
