"""Server-side SVG charts: no JavaScript, no CDN, with a text alternative for screen readers."""
from flask_babel import format_date, format_decimal
from markupsafe import Markup, escape

WIDTH, HEIGHT, MARGIN_LEFT, MARGIN_BOTTOM, MARGIN_TOP = 640, 220, 48, 36, 12


def _nice_max(value):
    """Round the axis maximum up to 1, 2 or 5 times a power of ten."""
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def monthly_bars(chart_id, title, unit, points, target=None):
    """A bar per month; a dashed line for the target; the SVG is labelled by its title and summary."""
    values = [v for _m, v in points if v is not None]
    top = _nice_max(max(values + ([target] if target is not None else []) or [0]))
    plot_width = WIDTH - MARGIN_LEFT - 8
    plot_height = HEIGHT - MARGIN_BOTTOM - MARGIN_TOP
    slot = plot_width / max(len(points), 1)
    bar_width = max(slot * 0.6, 2)
    parts = [
        f'<svg id="{chart_id}" class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(_summary(points, unit, target))}</desc>',
    ]
    for fraction in (0, 0.5, 1):
        y = MARGIN_TOP + plot_height * (1 - fraction)
        parts.append(f'<line x1="{MARGIN_LEFT}" x2="{WIDTH - 8}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        parts.append(f'<text x="{MARGIN_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" class="axis">'
                     f'{escape(format_decimal(top * fraction))}</text>')
    for index, (month, value) in enumerate(points):
        x = MARGIN_LEFT + index * slot + (slot - bar_width) / 2
        if value is not None:
            height = plot_height * (value / top)
            y = MARGIN_TOP + plot_height - height
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_width:.1f}" height="{height:.1f}" class="bar">'
                         f'<title>{escape(format_date(month, "MMM yyyy"))}: {escape(format_decimal(value))} '
                         f'{escape(unit)}</title></rect>')
        # At most six month labels, so they stay readable when the chart shrinks on a phone.
        if index % max((len(points) + 5) // 6, 1) == 0:
            parts.append(f'<text x="{x + bar_width / 2:.1f}" y="{HEIGHT - MARGIN_BOTTOM + 16}" text-anchor="middle" '
                         f'class="axis">{escape(format_date(month, "MMM yy"))}</text>')
    if target is not None:
        y = MARGIN_TOP + plot_height * (1 - target / top)
        parts.append(f'<line x1="{MARGIN_LEFT}" x2="{WIDTH - 8}" y1="{y:.1f}" y2="{y:.1f}" class="target"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _summary(points, unit, target):
    values = [v for _m, v in points if v is not None]
    if not values:
        return "—"
    text = (f"{format_date(points[0][0], 'MMM yyyy')} – {format_date(points[-1][0], 'MMM yyyy')}: "
            f"min {format_decimal(min(values))}, max {format_decimal(max(values))}, "
            f"{format_decimal(values[-1])} {unit}")
    if target is not None:
        text += f" (target {format_decimal(target)})"
    return text


def comparison_bars(chart_id, title, unit, rows):
    """Horizontal bars, one per territory (rows of (name, value))."""
    top = _nice_max(max([v for _n, v in rows if v is not None] or [0]))
    row_height = 28
    height = MARGIN_TOP * 2 + row_height * len(rows)
    label_width = 180
    parts = [
        f'<svg id="{chart_id}" class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
    ]
    for index, (name, value) in enumerate(rows):
        y = MARGIN_TOP + index * row_height
        parts.append(f'<text x="{label_width - 8}" y="{y + 18}" text-anchor="end" class="axis">{escape(name)}</text>')
        if value is not None:
            width = (WIDTH - label_width - 80) * (value / top)
            parts.append(f'<rect x="{label_width}" y="{y + 4}" width="{width:.1f}" height="{row_height - 8}" '
                         f'class="bar"/>')
            parts.append(f'<text x="{label_width + width + 6:.1f}" y="{y + 18}" class="axis">'
                         f'{escape(format_decimal(value))} {escape(unit)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
