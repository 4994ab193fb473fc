DATABASE_URL = "sqlite://./data/events.sqlite3"
