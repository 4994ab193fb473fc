class OpenAI:
    """A stand-in with the same name, for tests."""

    def __init__(self, api_key=None):
        self.api_key = api_key
