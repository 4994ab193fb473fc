def pipeline(name):
    return [name]
