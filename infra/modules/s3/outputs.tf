output "s3_bucket_id" {
  description = "Name of the bucket, available once its versioning, encryption, ownership and public access settings are in place."
  value       = aws_s3_bucket.this.id

  # Objects and notifications must not land in a bucket that is not set up yet
  # (an object written before versioning is on has no version id).
  depends_on = [
    aws_s3_bucket_ownership_controls.this,
    aws_s3_bucket_public_access_block.this,
    aws_s3_bucket_versioning.this,
    aws_s3_bucket_server_side_encryption_configuration.this,
    aws_s3_bucket_policy.this,
  ]
}

output "s3_bucket_arn" {
  description = "ARN of the bucket (built from its name, so it is known at plan time)."
  value       = local.bucket_arn
}
