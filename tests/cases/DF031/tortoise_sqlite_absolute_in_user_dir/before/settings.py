TORTOISE_ORM = {
    "connections": {"default": "sqlite:///var/lib/shelf/shelf.sqlite3"},
    "apps": {"models": {"models": ["models"], "default_connection": "default"}},
}
