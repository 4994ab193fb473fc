from config import settings


def test_sync_url_names_the_host():
    assert "pg.example.com" in settings.sync_database_url
