"""Charts for the admin dashboard, drawn on the server as inline SVG: no script, no CDN, and
they print. Every number is also in the SVG's text (a <title> per bar for hovering, and a
table the template prints beside), so the chart is readable without seeing it."""

from django.utils.html import format_html, format_html_join

WIDTH, HEIGHT = 640, 160
MARGIN_LEFT, MARGIN_BOTTOM, MARGIN_TOP = 40, 22, 10


def _nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5 × 10^n at or above `value` (a round top for the axis)."""
    if value <= 0:
        return 1
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def bar_chart(points: list[tuple], *, label: str, colour: str = "#417690"):
    """One bar per (day, count), oldest first, with the top value and the first and last
    day on the axes."""
    top = _nice_ceiling(max((count for _, count in points), default=0))
    plot_width = WIDTH - MARGIN_LEFT
    plot_height = HEIGHT - MARGIN_BOTTOM - MARGIN_TOP
    slot = plot_width / max(len(points), 1)
    bars = []
    for index, (day, count) in enumerate(points):
        height = plot_height * count / top
        bars.append(
            (
                f"{MARGIN_LEFT + index * slot + slot * 0.1:.1f}",
                f"{MARGIN_TOP + plot_height - height:.1f}",
                f"{slot * 0.8:.1f}",
                f"{height:.1f}",
                colour,
                f"{day:%Y-%m-%d}: {count}",
            )
        )
    first = f"{points[0][0]:%b %d}" if points else ""
    last = f"{points[-1][0]:%b %d}" if points else ""
    base = MARGIN_TOP + plot_height
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="dashboard-chart" role="img" '
        'viewBox="0 0 {w} {h}" width="100%" style="max-width:{w}px" aria-label="{label}">'
        "<title>{label}</title>"
        '<line x1="{ml}" y1="{base}" x2="{w}" y2="{base}" stroke="#999"/>'
        '<line x1="{ml}" y1="{mt}" x2="{w}" y2="{mt}" stroke="#ddd" stroke-dasharray="3"/>'
        '<text x="{tx}" y="{ty}" font-size="11" text-anchor="end" fill="#666">{top}</text>'
        '<text x="{tx}" y="{base}" font-size="11" text-anchor="end" fill="#666">0</text>'
        "{bars}"
        '<text x="{ml}" y="{h}" font-size="11" fill="#666" dy="-4">{first}</text>'
        '<text x="{w}" y="{h}" font-size="11" fill="#666" dy="-4" text-anchor="end">{last}</text>'
        "</svg>",
        w=WIDTH,
        h=HEIGHT,
        ml=MARGIN_LEFT,
        mt=MARGIN_TOP,
        base=f"{base:.1f}",
        tx=MARGIN_LEFT - 4,
        ty=MARGIN_TOP + 4,
        top=top,
        label=label,
        first=first,
        last=last,
        bars=format_html_join(
            "",
            '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>',
            bars,
        ),
    )
