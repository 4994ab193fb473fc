from reports.render import render_row


def summary(rows):
    lines = [render_row("name", 20, ".", "count", "total")]
    for name, count, total in rows:
        lines.append(render_row(name, 20, ".", count, total, sep=" / "))
    return "\n".join(lines)
