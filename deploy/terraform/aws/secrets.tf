# What the tasks read at start as environment variables: the URLs with credentials and the operator key.
resource "aws_secretsmanager_secret" "database_url" {
  name                    = "${var.name}/database-url"
  recovery_window_in_days = 7
}

resource "aws_secretsmanager_secret_version" "database_url" {
  secret_id     = aws_secretsmanager_secret.database_url.id
  secret_string = "postgres://quiver:${urlencode(var.db_password)}@${aws_db_instance.main.endpoint}/quiver?sslmode=no-verify"
}

resource "aws_secretsmanager_secret" "operator_key" {
  name                    = "${var.name}/operator-key"
  recovery_window_in_days = 7
}

resource "aws_secretsmanager_secret_version" "operator_key" {
  secret_id     = aws_secretsmanager_secret.operator_key.id
  secret_string = var.operator_key
}
