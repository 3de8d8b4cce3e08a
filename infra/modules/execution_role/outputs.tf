output "execution_role_arn" {
  description = "ARN of the role, available once its permissions are attached (Lambda checks the destination permission when the invoke config is written)."
  value       = aws_iam_role.this.arn

  depends_on = [
    aws_iam_role_policy.this,
    aws_iam_role_policy.schema,
  ]
}

output "execution_role_name" {
  description = "Name of the role."
  value       = aws_iam_role.this.name
}
