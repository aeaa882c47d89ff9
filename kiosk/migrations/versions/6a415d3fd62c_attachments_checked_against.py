"""attachments: what the checks compared with (one hash per typed field), to mark stale results

Revision ID: 6a415d3fd62c
Revises: be0ea9679a3c
Create Date: 2026-12-03 13:55:00
"""

from alembic import op
import sqlalchemy as sa


revision = '6a415d3fd62c'
down_revision = 'be0ea9679a3c'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('checked_against', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_column('checked_against')
