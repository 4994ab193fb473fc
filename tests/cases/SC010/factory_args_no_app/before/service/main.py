from service import factory

app = factory.create_app({"title": "Notes"}, None)
