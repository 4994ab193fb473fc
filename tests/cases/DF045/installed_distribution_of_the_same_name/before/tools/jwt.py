def encode(payload, key):
    return 'x'
