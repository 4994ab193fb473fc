"""Print yesterday's order count; an operator runs it from a laptop."""

import os

import sqlalchemy

REPORT_URL = os.environ.get("REPORT_URL", "postgres://reader@reports.internal:5432/shop")

if __name__ == "__main__":
    engine = sqlalchemy.create_engine(REPORT_URL)
    print(engine)
