from fastapi import Depends


def get_user(token: str = Depends(lambda: "t"), db):
    return token
