"""seals: per-kiosk hash chains (chain_sequence) and, on PostgreSQL, the archive_sequence that numbers manifests

Revision ID: 203417d9032e
Revises: 6a415d3fd62c
Create Date: 2026-12-03 14:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '203417d9032e'
down_revision = '6a415d3fd62c'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('seals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chain_sequence', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint('uq_seals_kiosk_chain', ['kiosk_name', 'chain_sequence'])
    if op.get_bind().dialect.name == 'postgresql':
        # numbers manifests without a lock across kiosks; starts after the manifests already sealed
        op.execute("CREATE SEQUENCE archive_sequence")
        op.execute("SELECT setval('archive_sequence', COALESCE((SELECT MAX(sequence) FROM seals), 0) + 1, false)")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP SEQUENCE archive_sequence")
    with op.batch_alter_table('seals', schema=None) as batch_op:
        batch_op.drop_constraint('uq_seals_kiosk_chain', type_='unique')
        batch_op.drop_column('chain_sequence')
