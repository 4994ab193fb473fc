import json

with open("data.json", "w") as out:
    json.dump({"items": ["a", "b"]}, out)
