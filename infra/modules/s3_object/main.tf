locals {
  # The file may not exist yet (CI plans and tests the infrastructure without a
  # build). Plan then still works; apply fails on the missing file, and the root
  # module's check block warns about it at plan time.
  source_exists = fileexists(var.source_path)
}

resource "aws_s3_object" "this" {
  bucket       = var.bucket
  key          = var.key
  source       = var.source_path
  source_hash  = local.source_exists ? filemd5(var.source_path) : null
  content_type = var.content_type

  tags = var.tags
}
