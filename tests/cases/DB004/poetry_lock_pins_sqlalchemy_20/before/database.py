import os

from sqlalchemy import create_engine

engine = create_engine(os.getenv("LEDGER_DB", "postgresql://ledger:ledger@pg.example.com:443/ledger"))
