class Settings:
    title = "Notes"
    debug = False


def get_settings() -> Settings:
    return Settings()
