import service.factory as factory_module
from service import factory
from service.config import Settings, get_settings

database = object()

# A factory that takes arguments, called through the module it lives in.
app = factory.create_app(Settings(), database)
