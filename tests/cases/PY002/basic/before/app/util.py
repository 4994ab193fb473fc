def total(values):
    return sum(values
