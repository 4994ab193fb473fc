def send(channel="email", user_id, message):
    return f"{channel}:{user_id}:{message}"


class Outbox:
    def __init__(self, sender):
        self.sender = sender

    def flush(self, items):
        return [self.sender.send("sms", *item) for item in items]
