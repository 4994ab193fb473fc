import os

from sqlalchemy import create_engine

# A Cloud SQL socket on purpose: no credentials after the third slash.
socket_url = "postgresql+psycopg2:///{}?host=/cloudsql/{}".format(
    os.environ["DB_NAME"], os.environ["INSTANCE"]
)
engine = create_engine(socket_url)

cache_engine = create_engine(f"sqlite:///{os.environ['CACHE_DIR']}/cache.db")
reports_engine = create_engine(
    f"mysql+pymysql://{os.environ['R_USER']}:{os.environ['R_PASS']}@{os.environ['R_HOST']}/reports"
)
