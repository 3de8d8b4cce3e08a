# modules/dynamodb_table: key schema, billing, protection and autoscaling.

mock_provider "aws" {}

variables {
  name = "csv2ddb-items"
}

run "design_defaults" {
  command = plan

  module {
    source = "./modules/dynamodb_table"
  }

  assert {
    condition = (
      aws_dynamodb_table.this.billing_mode == "PROVISIONED" &&
      aws_dynamodb_table.this.read_capacity == 5 &&
      aws_dynamodb_table.this.write_capacity == 5
    )
    error_message = "The default table is PROVISIONED with 5 RCU and 5 WCU."
  }

  assert {
    condition = (
      aws_dynamodb_table.this.hash_key == "ID" &&
      aws_dynamodb_table.this.range_key == null &&
      aws_dynamodb_table.this.attribute == toset([{ name = "ID", type = "N" }])
    )
    error_message = "The default key is the partition key ID of type N, without a sort key."
  }

  assert {
    condition     = aws_dynamodb_table.this.point_in_time_recovery[0].enabled
    error_message = "Point-in-time recovery must be on."
  }

  assert {
    condition     = aws_dynamodb_table.this.server_side_encryption[0].enabled
    error_message = "Server-side encryption with KMS must be on."
  }

  assert {
    condition     = length(aws_appautoscaling_target.write) == 0 && length(aws_appautoscaling_target.read) == 0 && length(aws_appautoscaling_policy.write) == 0 && length(aws_appautoscaling_policy.read) == 0
    error_message = "Autoscaling is off unless enabled."
  }

  assert {
    condition     = aws_dynamodb_table.this.deletion_protection_enabled == false
    error_message = "Deletion protection follows its variable (off by default)."
  }
}

run "composite_key_and_deletion_protection" {
  command = plan

  module {
    source = "./modules/dynamodb_table"
  }

  variables {
    hash_key            = { name = "pk", type = "S" }
    range_key           = { name = "sk", type = "B" }
    deletion_protection = true
  }

  assert {
    condition = (
      aws_dynamodb_table.this.hash_key == "pk" &&
      aws_dynamodb_table.this.range_key == "sk" &&
      aws_dynamodb_table.this.attribute == toset([{ name = "pk", type = "S" }, { name = "sk", type = "B" }])
    )
    error_message = "A sort key adds its attribute definition."
  }

  assert {
    condition     = aws_dynamodb_table.this.deletion_protection_enabled
    error_message = "deletion_protection = true must protect the table."
  }
}

run "on_demand_ignores_capacity_and_autoscaling" {
  command = plan

  module {
    source = "./modules/dynamodb_table"
  }

  variables {
    billing_mode = "PAY_PER_REQUEST"
    autoscaling  = { enabled = true }
  }

  assert {
    condition     = aws_dynamodb_table.this.billing_mode == "PAY_PER_REQUEST"
    error_message = "billing_mode must be passed through."
  }

  assert {
    condition     = length(aws_appautoscaling_target.write) == 0 && length(aws_appautoscaling_policy.write) == 0
    error_message = "On-demand tables have no capacity to scale."
  }
}

run "autoscaling_tracks_utilization" {
  command = plan

  module {
    source = "./modules/dynamodb_table"
  }

  variables {
    autoscaling = {
      enabled = true
      write   = { min_capacity = 5, max_capacity = 200, target_utilization = 60 }
    }
  }

  assert {
    condition = (
      aws_appautoscaling_target.write[0].scalable_dimension == "dynamodb:table:WriteCapacityUnits" &&
      aws_appautoscaling_target.write[0].resource_id == "table/csv2ddb-items" &&
      aws_appautoscaling_target.write[0].min_capacity == 5 &&
      aws_appautoscaling_target.write[0].max_capacity == 200
    )
    error_message = "The write capacity target must scale the table's WCU between the given bounds."
  }

  assert {
    condition = (
      aws_appautoscaling_policy.write[0].policy_type == "TargetTrackingScaling" &&
      aws_appautoscaling_policy.write[0].target_tracking_scaling_policy_configuration[0].target_value == 60 &&
      aws_appautoscaling_policy.write[0].target_tracking_scaling_policy_configuration[0].predefined_metric_specification[0].predefined_metric_type == "DynamoDBWriteCapacityUtilization"
    )
    error_message = "Write capacity must track DynamoDBWriteCapacityUtilization at the target."
  }

  assert {
    condition = (
      aws_appautoscaling_target.read[0].scalable_dimension == "dynamodb:table:ReadCapacityUnits" &&
      aws_appautoscaling_policy.read[0].target_tracking_scaling_policy_configuration[0].target_value == 70
    )
    error_message = "Read capacity scales too, with the default target of 70 %."
  }
}

run "rejects_unknown_billing_mode_key_types_and_autoscaling_bounds" {
  command = plan

  module {
    source = "./modules/dynamodb_table"
  }

  variables {
    billing_mode = "ON_DEMAND"
    hash_key     = { name = "ID", type = "NUMBER" }
    range_key    = { name = "sk", type = "BOOL" }
    autoscaling = {
      enabled = true
      read    = { min_capacity = 50, max_capacity = 10 }
      write   = { target_utilization = 95 }
    }
  }

  expect_failures = [var.billing_mode, var.hash_key, var.range_key, var.autoscaling]
}

run "rejects_a_sort_key_named_like_the_partition_key" {
  command = plan

  module {
    source = "./modules/dynamodb_table"
  }

  variables {
    range_key = { name = "ID", type = "S" }
  }

  expect_failures = [aws_dynamodb_table.this]
}
