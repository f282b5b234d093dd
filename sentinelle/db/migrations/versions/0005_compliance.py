"""compliance: authorisation file pieces, signs, privacy masks, prefect notifications,
observed camera settings, controller settings

Revision ID: 0005
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

import sentinelle.db.types

revision = '0005'
down_revision = '0003'
branch_labels = None
depends_on = None


def _ts() -> sa.types.TypeEngine:
    return sentinelle.db.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'compliance_documents',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('authorisation', sa.String(length=100), nullable=True),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('version', sa.String(length=40), nullable=True),
        sa.Column('doc_date', sa.Date(), nullable=False),
        sa.Column('dpo_opinion_date', sa.Date(), nullable=True),
        sa.Column('location', sa.Text(), nullable=True),
        sa.Column('added_at', _ts(), nullable=False),
        sa.Column('added_by', sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('compliance_documents') as b:
        b.create_index('ix_compliance_documents_authorisation', ['authorisation'])
        b.create_index('ix_compliance_documents_kind', ['kind'])
    op.create_table(
        'compliance_signs',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('lon', sa.Float(), nullable=False),
        sa.Column('lat', sa.Float(), nullable=False),
        sa.Column('camera_ids', sa.JSON(), nullable=False),
        sa.Column('pictogram', sa.Boolean(), nullable=False),
        sa.Column('controller', sa.Boolean(), nullable=False),
        sa.Column('purposes', sa.Boolean(), nullable=False),
        sa.Column('rights_contact', sa.Boolean(), nullable=False),
        sa.Column('notice_link', sa.Boolean(), nullable=False),
        sa.Column('photo_date', sa.Date(), nullable=True),
        sa.Column('added_at', _ts(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_table(
        'privacy_masks',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('camera_id', sa.String(length=64), nullable=False),
        sa.Column('geometry_wkt', sa.Text(), nullable=False),
        sa.Column('mode', sa.String(length=20), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('added_at', _ts(), nullable=False),
        sa.Column('added_by', sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('privacy_masks') as b:
        b.create_index('ix_privacy_masks_camera_id', ['camera_id'])
    op.create_table(
        'prefect_notifications',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('camera_id', sa.String(length=64), nullable=False),
        sa.Column('authorisation', sa.String(length=100), nullable=True),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('notified_on', sa.Date(), nullable=False),
        sa.Column('reference', sa.String(length=200), nullable=True),
        sa.Column('added_at', _ts(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('prefect_notifications') as b:
        b.create_index('ix_prefect_notifications_camera_id', ['camera_id'])
    op.create_table(
        'camera_configs',
        sa.Column('camera_id', sa.String(length=64), nullable=False),
        sa.Column('retention_days', sa.Integer(), nullable=True),
        sa.Column('audio_enabled', sa.Boolean(), nullable=False),
        sa.Column('analytics_enabled', sa.Boolean(), nullable=False),
        sa.Column('analytics_legal_basis', sa.String(length=300), nullable=True),
        sa.Column('analytics_until', sa.Date(), nullable=True),
        sa.Column('observed_on', sa.Date(), nullable=False),
        sa.Column('source', sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint('camera_id'),
    )
    op.create_table(
        'compliance_settings',
        sa.Column('key', sa.String(length=60), nullable=False),
        sa.Column('value', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('key'),
    )


def downgrade() -> None:
    for name in ('compliance_settings', 'camera_configs', 'prefect_notifications',
                 'privacy_masks', 'compliance_signs', 'compliance_documents'):
        op.drop_table(name)
