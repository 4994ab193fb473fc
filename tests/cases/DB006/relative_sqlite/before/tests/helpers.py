TEST_URL = "sqlite:///./test.db"
