output "execution_role_arn" {
  description = "ARN of the role, available once its permissions are attached (Lambda checks the destination permission when the invoke config is written)."
  value       = aws_iam_role.this.arn

  depends_on = [
    aws_iam_role_policy.this,
    aws_iam_role_policy.schema,
    aws_iam_role_policy.ledger,
  ]
}

output "execution_role_name" {
  description = "Name of the role."
  value       = aws_iam_role.this.name
}

output "execution_role_schema_objects" {
  description = "ARNs of the schema objects the role may read."
  value       = local.schema_object_arns
}

output "execution_role_table_arns" {
  description = "ARNs of the tables the role may write items to."
  value       = var.table_arns
}

output "execution_role_table_actions" {
  description = "The DynamoDB actions the role may call on execution_role_table_arns (from write_modes)."
  value       = local.table_actions
}

output "execution_role_upload_objects" {
  description = "The objects the role may read uploads from (an ARN pattern under the upload prefix)."
  value       = local.upload_objects_arn
}
