TITLE = "notes"
