variable "name" {
  description = "Prefix of every resource name (one deployment per name)"
  type        = string
  default     = "quiver"
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.name))
    error_message = "name: lower-case letters, digits and dashes, 2-21 characters, starting with a letter."
  }
}

variable "region" {
  description = "AWS region"
  type        = string
  default     = "eu-west-1"
}

variable "vpc_id" {
  description = "The VPC to run in"
  type        = string
}

variable "private_subnet_ids" {
  description = "Subnets (two or more zones) for tasks, RDS and ElastiCache; they need a route to ECR and Secrets Manager (NAT or endpoints)"
  type        = list(string)
}

variable "public_subnet_ids" {
  description = "Subnets for the load balancer"
  type        = list(string)
}

variable "image" {
  description = "The Quiver image (built from deploy/Containerfile), e.g. <account>.dkr.ecr.<region>.amazonaws.com/quiver:0.1.0"
  type        = string
}

variable "nats_image" {
  description = "NATS server image for the JetStream service"
  type        = string
  default     = "public.ecr.aws/docker/library/nats:2.10"
}

variable "operator_key" {
  description = "Quiver's operator bearer key (24+ characters); stored in Secrets Manager"
  type        = string
  sensitive   = true
  validation {
    condition     = length(var.operator_key) >= 24
    error_message = "operator_key must be at least 24 characters."
  }
}

variable "db_password" {
  description = "Master password of the PostgreSQL instance; stored in Secrets Manager inside DATABASE_URL"
  type        = string
  sensitive   = true
}

variable "serve_count" {
  description = "serve tasks at start (autoscaling moves between serve_min and serve_max on CPU)"
  type        = number
  default     = 2
}

variable "serve_min" {
  type    = number
  default = 2
}

variable "serve_max" {
  type    = number
  default = 10
}

variable "serve_cpu" {
  description = "Fargate CPU units of a serve task (1024 = 1 vCPU); see the README's Sizing"
  type        = number
  default     = 1024
}

variable "serve_memory" {
  description = "MiB of a serve task"
  type        = number
  default     = 3072
}

variable "worker_cpu" {
  type    = number
  default = 1024
}

variable "worker_memory" {
  type    = number
  default = 4096
}

variable "db_instance_class" {
  type    = string
  default = "db.t4g.medium"
}

variable "redis_node_type" {
  type    = string
  default = "cache.t4g.small"
}

variable "certificate_arn" {
  description = "ACM certificate for HTTPS on the load balancer; empty: HTTP only (a trial)"
  type        = string
  default     = ""
}
