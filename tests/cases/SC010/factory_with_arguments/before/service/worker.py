from service.config import get_settings
from service.factory import build

api = build(get_settings())
