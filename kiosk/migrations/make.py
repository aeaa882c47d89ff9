"""Autogenerate a migration from the difference between kiosk/models.py and the migrated schema."""

import sys
import tempfile

from alembic import command

from kiosk.db import alembic_config, make_engine, upgrade

if __name__ == "__main__":
    message = " ".join(sys.argv[1:]) or "schema change"
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/gen.db")
        upgrade(engine)
        command.revision(alembic_config(engine), message=message, autogenerate=True)
