ITEMS = ["lamp", "chair"]
