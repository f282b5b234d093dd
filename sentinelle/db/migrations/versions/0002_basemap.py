"""basemap: layers, streets, street nodes, buildings, derived blocks

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 23:10:00
"""
import sqlalchemy as sa
from alembic import op

import sentinelle.db.types

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('basemap_layers',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('layer', sa.String(length=20), nullable=False),
    sa.Column('source_file', sa.String(length=300), nullable=True),
    sa.Column('attribution', sa.String(length=300), nullable=True),
    sa.Column('feature_count', sa.Integer(), nullable=False),
    sa.Column('crs', sa.String(length=40), nullable=True),
    sa.Column('imported_at', sentinelle.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('layer')
    )
    op.create_table('basemap_streets',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('highway', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=True),
    sa.Column('geometry_wkt', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('basemap_streets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_basemap_streets_highway'), ['highway'], unique=False)

    op.create_table('basemap_nodes',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('geometry_wkt', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('basemap_nodes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_basemap_nodes_kind'), ['kind'], unique=False)

    op.create_table('basemap_buildings',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('source_id', sa.String(length=100), nullable=True),
    sa.Column('height_m', sa.Float(), nullable=True),
    sa.Column('usage', sa.String(length=100), nullable=True),
    sa.Column('dwellings', sa.Float(), nullable=True),
    sa.Column('geometry_wkt', sa.Text(), nullable=False),
    sa.Column('properties', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('basemap_blocks',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('geometry_wkt', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )


def downgrade() -> None:
    op.drop_table('basemap_blocks')
    op.drop_table('basemap_buildings')
    with op.batch_alter_table('basemap_nodes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_basemap_nodes_kind'))
    op.drop_table('basemap_nodes')
    with op.batch_alter_table('basemap_streets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_basemap_streets_highway'))
    op.drop_table('basemap_streets')
    op.drop_table('basemap_layers')
