"""Add the welcome note."""
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.execute("INSERT INTO notes (text) VALUES ('Welcome')")


def downgrade() -> None:
    op.execute("DELETE FROM notes WHERE text = 'Welcome'")
