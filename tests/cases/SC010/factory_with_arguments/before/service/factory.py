from fastapi import FastAPI


def create_app(settings, database) -> FastAPI:
    application = FastAPI(title=settings.title)
    application.state.database = database
    return application


def build(settings):
    return FastAPI(title=settings.title, debug=settings.debug)
