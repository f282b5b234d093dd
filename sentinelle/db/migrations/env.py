"""Alembic environment: the connection comes from Sentinelle (see sentinelle.db.migrate)."""

from alembic import context

import sentinelle.db.analytics_tables  # noqa: F401  (registers the analytics tables)
import sentinelle.db.basemap_tables  # noqa: F401  (registers the base map tables)
import sentinelle.db.compliance_tables  # noqa: F401  (registers the compliance tables)
import sentinelle.db.custody_tables  # noqa: F401  (registers the custody tables)
import sentinelle.db.events_tables  # noqa: F401  (registers the event detection tables)
import sentinelle.db.evidence_tables  # noqa: F401  (registers the evidence tables)
import sentinelle.db.record_tables  # noqa: F401  (registers the recording tables)
import sentinelle.db.vision_tables  # noqa: F401  (registers the video analysis geometry)
from sentinelle.db.tables import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        engine = config.attributes["engine"]
        with engine.begin() as conn:
            context.configure(connection=conn, target_metadata=target_metadata,
                              render_as_batch=True)
            with context.begin_transaction():
                context.run_migrations()
        return
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


run()
