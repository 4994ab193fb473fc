def render_row(title, width=40, fill, *cells, sep=" | "):
    return title.ljust(width, fill) + sep.join(str(c) for c in cells)
