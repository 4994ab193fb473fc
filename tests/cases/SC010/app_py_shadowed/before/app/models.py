class Task:
    pass
