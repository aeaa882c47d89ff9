"""photo attempts: the face match against the ID card portrait

Revision ID: be0ea9679a3c
Revises: 89dc657f461c
Create Date: 2026-12-03 11:10:00
"""

from alembic import op
import sqlalchemy as sa


revision = 'be0ea9679a3c'
down_revision = '89dc657f461c'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('photo_attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('identity', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('photo_attempts', schema=None) as batch_op:
        batch_op.drop_column('identity')
