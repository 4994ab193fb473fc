def render_row(title, fill, width=40, *cells, sep=" | "):
    return title.ljust(width, fill) + sep.join(str(c) for c in cells)
