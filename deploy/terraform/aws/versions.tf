# Quiver on AWS: ECS Fargate (serve behind an ALB, worker, NATS JetStream), RDS PostgreSQL, ElastiCache
# Redis, S3 for model artifacts, Secrets Manager for the URLs and keys. See README.md beside this file.
terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

provider "aws" {
  region = var.region
  default_tags {
    tags = { Application = "quiver", Environment = var.name }
  }
}
