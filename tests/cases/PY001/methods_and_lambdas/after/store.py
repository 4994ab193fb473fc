class Store:
    def __init__(self):
        self.items = {}

    def put(self, key, value=None, ttl):
        self.items[key] = (value, ttl)

    @classmethod
    def create(cls, name="default", *, capacity):
        store = cls()
        store.put("name", name, 0)
        return store

    def refresh(self):
        for key, (value, _) in self.items.items():
            self.put(key, value, 60)


by_size = lambda reverse=False, *, items: sorted(items, reverse=reverse)

store = Store.create("main", capacity=10)
print(by_size(True, items=[3, 1, 2]))
