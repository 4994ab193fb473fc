"""Copy rows from the old MySQL database into the new one, run by hand once."""

from sqlalchemy import create_engine, text

LEGACY_URL = "mysql+pymysql://reader@legacy.internal:3306/shop"


def main():
    legacy = create_engine(LEGACY_URL)
    with legacy.connect() as conn:
        print(conn.execute(text("SELECT COUNT(*) FROM orders")).scalar())


if __name__ == "__main__":
    main()
