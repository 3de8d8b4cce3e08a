resource "aws_lambda_permission" "this" {
  statement_id   = "AllowInvokeFromS3"
  action         = "lambda:InvokeFunction"
  function_name  = var.function_name
  principal      = "s3.amazonaws.com"
  source_arn     = var.bucket_arn
  source_account = var.bucket_owner_account_id
}

resource "aws_s3_bucket_notification" "this" {
  bucket = var.bucket_id

  # One rule per suffix: S3 accepts several rules for the same event only when
  # their prefix/suffix filters do not overlap (".csv" is not a suffix of ".csv.gz").
  dynamic "lambda_function" {
    for_each = var.filter_suffixes

    content {
      id                  = "${coalesce(trimsuffix(var.upload_prefix, "/"), "csv2ddb")}-${replace(trimprefix(lambda_function.value, "."), ".", "-")}"
      lambda_function_arn = var.function_arn
      events              = var.events
      filter_prefix       = var.upload_prefix
      filter_suffix       = lambda_function.value
    }
  }

  # S3 test-invokes the destination when the configuration is written.
  depends_on = [aws_lambda_permission.this]
}
