"""photo attempts: the liveness test before the photo

Revision ID: c3a1d5e7f901
Revises: f2cb23e02b51
Create Date: 2026-12-03 07:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = 'c3a1d5e7f901'
down_revision = 'f2cb23e02b51'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('photo_attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('liveness', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('photo_attempts', schema=None) as batch_op:
        batch_op.drop_column('liveness')
