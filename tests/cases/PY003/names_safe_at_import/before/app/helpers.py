def make_handler(name):
    return name
