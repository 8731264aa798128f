output "url" {
  description = "Quiver's API through the load balancer"
  value       = "http://${aws_lb.main.dns_name}"
}

output "artifacts_bucket" {
  value = aws_s3_bucket.artifacts.bucket
}

output "database_endpoint" {
  value = aws_db_instance.main.endpoint
}

output "redis_endpoint" {
  value = aws_elasticache_replication_group.main.primary_endpoint_address
}

output "secret_arns" {
  description = "The secrets the tasks read (DATABASE_URL, QUIVER_OPERATOR_KEY)"
  value = {
    database_url = aws_secretsmanager_secret.database_url.arn
    operator_key = aws_secretsmanager_secret.operator_key.arn
  }
}

output "cluster" {
  value = aws_ecs_cluster.main.name
}
