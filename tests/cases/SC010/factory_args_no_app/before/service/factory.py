def create_app(settings, database):
    """Builds a Flask-style app object that is not FastAPI."""
    return {"settings": settings, "database": database}
