"""kiosk_keys: every kiosk's name and public signing keys

Revision ID: c41d7e9a2b60
Revises: c3a1d5e7f901
Create Date: 2026-12-03 07:45:00
"""

from alembic import op
import sqlalchemy as sa
import kiosk.models


revision = 'c41d7e9a2b60'
down_revision = 'c3a1d5e7f901'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('kiosk_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kiosk_name', sa.String(length=100), nullable=False),
    sa.Column('fingerprint', sa.String(length=100), nullable=False),
    sa.Column('public_key_pem', sa.Text(), nullable=False),
    sa.Column('registered_at', kiosk.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', kiosk.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('fingerprint')
    )
    with op.batch_alter_table('kiosk_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kiosk_keys_kiosk_name'), ['kiosk_name'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('kiosk_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kiosk_keys_kiosk_name'))
    op.drop_table('kiosk_keys')
