TITLE = 'Notes'
