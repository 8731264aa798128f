# The ECS cluster and its three services: serve (behind the ALB, autoscaled on CPU), worker, and NATS with
# JetStream (one task, found at nats.<name>.internal through Cloud Map).
locals {
  common_env = [
    { name = "REDIS_URL", value = "rediss://${aws_elasticache_replication_group.main.primary_endpoint_address}:6379" },
    { name = "STREAM_URL", value = "nats://nats.${var.name}.internal:4222" },
    { name = "ARTIFACTS_URL", value = "s3://${aws_s3_bucket.artifacts.bucket}/models" },
    { name = "AWS_REGION", value = var.region },
    { name = "QUIVER_DATA_DIR", value = "/data" },
    { name = "QUIVER_DEMO", value = "false" },
    { name = "QUIVER_METRICS_PORT", value = "9464" },
    { name = "QUIVER_METRICS_HOST", value = "0.0.0.0" },
  ]
  common_secrets = [
    { name = "DATABASE_URL", valueFrom = aws_secretsmanager_secret.database_url.arn },
    { name = "QUIVER_OPERATOR_KEY", valueFrom = aws_secretsmanager_secret.operator_key.arn },
  ]
  quiver_container = {
    image                  = var.image
    essential              = true
    readonlyRootFilesystem = true
    environment            = local.common_env
    secrets                = local.common_secrets
    portMappings           = [{ containerPort = 8080, protocol = "tcp" }, { containerPort = 9464, protocol = "tcp" }]
    mountPoints            = [{ sourceVolume = "data", containerPath = "/data" }, { sourceVolume = "tmp", containerPath = "/tmp" }]
    ulimits                = [{ name = "nofile", softLimit = 65536, hardLimit = 65536 }]
    healthCheck = {
      command     = ["CMD", "node", "-e", "fetch('http://127.0.0.1:8080/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
      interval    = 10
      timeout     = 3
      retries     = 3
      startPeriod = 60
    }
  }
}

resource "aws_ecs_cluster" "main" {
  name = var.name
  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

resource "aws_cloudwatch_log_group" "main" {
  name              = "/ecs/${var.name}"
  retention_in_days = 30
}

resource "aws_service_discovery_private_dns_namespace" "main" {
  name = "${var.name}.internal"
  vpc  = var.vpc_id
}

# One task definition per role: the same container, its role's command, size and drain time.
locals {
  roles = {
    # SIGTERM drains for up to QUIVER_SHUTDOWN_TIMEOUT_MS (10 s) before ECS's stopTimeout (30 s) kills.
    serve  = { cpu = var.serve_cpu, memory = var.serve_memory, stop_timeout = 30 }
    worker = { cpu = var.worker_cpu, memory = var.worker_memory, stop_timeout = 120 }
  }
}

resource "aws_ecs_task_definition" "quiver" {
  for_each                 = local.roles
  family                   = "${var.name}-${each.key}"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = each.value.cpu
  memory                   = each.value.memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn
  volume { name = "data" }
  volume { name = "tmp" }
  container_definitions = jsonencode([merge(local.quiver_container, {
    name        = "quiver"
    command     = [each.key]
    stopTimeout = each.value.stop_timeout
    logConfiguration = {
      logDriver = "awslogs"
      options   = { awslogs-group = aws_cloudwatch_log_group.main.name, awslogs-region = var.region, awslogs-stream-prefix = each.key }
    }
  })])
}

resource "aws_ecs_task_definition" "nats" {
  family                   = "${var.name}-nats"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 512
  memory                   = 1024
  execution_role_arn       = aws_iam_role.execution.arn
  # JetStream keeps its files on the task's ephemeral storage: a replaced task starts empty. Mount EFS here
  # (or use a managed NATS) when the event stream must outlive a task; see README.md.
  container_definitions = jsonencode([{
    name         = "nats"
    image        = var.nats_image
    essential    = true
    command      = ["-js", "-sd", "/data", "-m", "8222"]
    portMappings = [{ containerPort = 4222, protocol = "tcp" }, { containerPort = 8222, protocol = "tcp" }]
    logConfiguration = {
      logDriver = "awslogs"
      options   = { awslogs-group = aws_cloudwatch_log_group.main.name, awslogs-region = var.region, awslogs-stream-prefix = "nats" }
    }
  }])
}

resource "aws_service_discovery_service" "nats" {
  name = "nats"
  dns_config {
    namespace_id = aws_service_discovery_private_dns_namespace.main.id
    dns_records {
      ttl  = 10
      type = "A"
    }
  }
  health_check_custom_config {
    failure_threshold = 1
  }
}

resource "aws_ecs_service" "nats" {
  name            = "${var.name}-nats"
  cluster         = aws_ecs_cluster.main.id
  task_definition = aws_ecs_task_definition.nats.arn
  desired_count   = 1
  launch_type     = "FARGATE"
  # One JetStream server: never two at once on a deploy.
  deployment_minimum_healthy_percent = 0
  deployment_maximum_percent         = 100
  network_configuration {
    subnets         = var.private_subnet_ids
    security_groups = [aws_security_group.tasks.id]
  }
  service_registries {
    registry_arn = aws_service_discovery_service.nats.arn
  }
}

resource "aws_ecs_service" "serve" {
  name                              = "${var.name}-serve"
  cluster                           = aws_ecs_cluster.main.id
  task_definition                   = aws_ecs_task_definition.quiver["serve"].arn
  desired_count                     = var.serve_count
  launch_type                       = "FARGATE"
  health_check_grace_period_seconds = 60
  network_configuration {
    subnets         = var.private_subnet_ids
    security_groups = [aws_security_group.tasks.id]
  }
  load_balancer {
    target_group_arn = aws_lb_target_group.serve.arn
    container_name   = "quiver"
    container_port   = 8080
  }
  lifecycle {
    ignore_changes = [desired_count] # autoscaling owns it
  }
  depends_on = [aws_lb_listener.http]
}

resource "aws_ecs_service" "worker" {
  name            = "${var.name}-worker"
  cluster         = aws_ecs_cluster.main.id
  task_definition = aws_ecs_task_definition.quiver["worker"].arn
  desired_count   = 1
  launch_type     = "FARGATE"
  network_configuration {
    subnets         = var.private_subnet_ids
    security_groups = [aws_security_group.tasks.id]
  }
}

resource "aws_appautoscaling_target" "serve" {
  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.main.name}/${aws_ecs_service.serve.name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = var.serve_min
  max_capacity       = var.serve_max
}

resource "aws_appautoscaling_policy" "serve_cpu" {
  name               = "${var.name}-serve-cpu"
  service_namespace  = aws_appautoscaling_target.serve.service_namespace
  resource_id        = aws_appautoscaling_target.serve.resource_id
  scalable_dimension = aws_appautoscaling_target.serve.scalable_dimension
  policy_type        = "TargetTrackingScaling"
  target_tracking_scaling_policy_configuration {
    target_value       = 70
    scale_in_cooldown  = 300
    scale_out_cooldown = 60
    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}
