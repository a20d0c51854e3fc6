"""Storage: SQLAlchemy Core schema, Alembic migrations, SQLite (default) and PostgreSQL."""
