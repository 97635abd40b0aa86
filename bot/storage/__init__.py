"""Storage: the schema (models), the engine and sessions (db), migrations (Alembic)."""
