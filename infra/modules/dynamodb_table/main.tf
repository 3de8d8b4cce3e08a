locals {
  provisioned = var.billing_mode == "PROVISIONED"
  autoscaling = local.provisioned && var.autoscaling.enabled
  keys        = concat([var.hash_key], var.range_key == null ? [] : [var.range_key])
}

resource "aws_dynamodb_table" "this" {
  name                        = var.name
  billing_mode                = var.billing_mode
  read_capacity               = local.provisioned ? var.read_capacity : null
  write_capacity              = local.provisioned ? var.write_capacity : null
  hash_key                    = var.hash_key.name
  range_key                   = var.range_key == null ? null : var.range_key.name
  deletion_protection_enabled = var.deletion_protection

  dynamic "attribute" {
    for_each = local.keys

    content {
      name = attribute.value.name
      type = attribute.value.type
    }
  }

  dynamic "ttl" {
    for_each = var.ttl_attribute == null ? [] : [var.ttl_attribute]

    content {
      attribute_name = ttl.value
      enabled        = true
    }
  }

  point_in_time_recovery {
    enabled = var.point_in_time_recovery
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.kms_key_arn
  }

  tags = var.tags

  lifecycle {
    precondition {
      condition     = var.range_key == null || try(var.range_key.name != var.hash_key.name, true)
      error_message = "range_key.name must differ from hash_key.name."
    }
  }
}

resource "aws_appautoscaling_target" "write" {
  count = local.autoscaling ? 1 : 0

  service_namespace  = "dynamodb"
  resource_id        = "table/${aws_dynamodb_table.this.name}"
  scalable_dimension = "dynamodb:table:WriteCapacityUnits"
  min_capacity       = var.autoscaling.write.min_capacity
  max_capacity       = var.autoscaling.write.max_capacity

  tags = var.tags
}

resource "aws_appautoscaling_policy" "write" {
  count = local.autoscaling ? 1 : 0

  name               = "${var.name}-write-utilization"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.write[0].service_namespace
  resource_id        = aws_appautoscaling_target.write[0].resource_id
  scalable_dimension = aws_appautoscaling_target.write[0].scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value = var.autoscaling.write.target_utilization

    predefined_metric_specification {
      predefined_metric_type = "DynamoDBWriteCapacityUtilization"
    }
  }
}

resource "aws_appautoscaling_target" "read" {
  count = local.autoscaling ? 1 : 0

  service_namespace  = "dynamodb"
  resource_id        = "table/${aws_dynamodb_table.this.name}"
  scalable_dimension = "dynamodb:table:ReadCapacityUnits"
  min_capacity       = var.autoscaling.read.min_capacity
  max_capacity       = var.autoscaling.read.max_capacity

  tags = var.tags
}

resource "aws_appautoscaling_policy" "read" {
  count = local.autoscaling ? 1 : 0

  name               = "${var.name}-read-utilization"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.read[0].service_namespace
  resource_id        = aws_appautoscaling_target.read[0].resource_id
  scalable_dimension = aws_appautoscaling_target.read[0].scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value = var.autoscaling.read.target_utilization

    predefined_metric_specification {
      predefined_metric_type = "DynamoDBReadCapacityUtilization"
    }
  }
}
