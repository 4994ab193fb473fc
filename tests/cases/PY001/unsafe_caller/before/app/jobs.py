from app import notify

HANDLERS = {"notify": notify.send}


def nightly(user_ids):
    return [notify.send("email", uid, "digest") for uid in user_ids]
