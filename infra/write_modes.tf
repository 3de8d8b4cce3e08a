# Write modes (docs/write-modes.md): the execution role may call only the
# DynamoDB actions that the configured modes send. The modes are var.write_modes
# and, added to them, what the schema files Terraform uploads ask for in their
# `write` block, so a schema deployed from here never lacks its permissions (a
# schema put into S3 by other means needs its mode in write_modes).
locals {
  write_schema_files = concat(
    local.schema_path == null ? [] : [local.schema_path],
    [for k, s in local.dataset_schemas : s.path],
  )
  # A schema without `write` puts; the variables' validations have checked each
  # `write` block's mode and condition.
  schema_writes = [
    for p in local.write_schema_files : {
      mode      = coalesce(try(jsondecode(file(p)).write.mode, null), "put")
      condition = coalesce(try(jsondecode(file(p)).write.condition, null), "none")
      op        = try(jsondecode(file(p)).write.op, null) != null
    } if try(jsondecode(file(p)).write, null) != null
  ]
  # With an `op` column a row may put, upsert or delete, under the file's
  # condition (a delete under absent is a rejected row, so it needs nothing).
  schema_write_modes = flatten([
    for w in local.schema_writes : [
      for m in(w.op ? ["put", "upsert", "delete"] : [w.mode]) :
      w.condition == "none" ? m : "${m}:${w.condition}"
      if !(m == "delete" && w.condition == "absent")
    ]
  ])
  write_modes = sort(distinct(concat(var.write_modes, local.schema_write_modes)))
}

output "write_modes" {
  description = "The write modes the execution role allows: write_modes and those the schema files ask for."
  value       = local.write_modes
}

output "write_actions" {
  description = "The DynamoDB actions the execution role may call on the destination tables (from write_modes)."
  value       = module.execution_role.execution_role_table_actions
}
