"""Server-rendered SVG charts of the web workspace (no script, no external library)."""

from __future__ import annotations

from html import escape

from hub.inventory.render.svg import score_color


def score_bars(rows: list[tuple[str, float | None]], title: str, none_label: str) -> str:
    """Horizontal bars, one per standard, 0–100; "not measured" when a score is None."""
    label_w, bar_w, row_h, top = 230, 300, 28, 8
    height = top + row_h * len(rows) + 24
    width = label_w + bar_w + 60
    parts = [f'<svg class="chart" role="img" aria-labelledby="chart-title" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="chart-title">{escape(title)}</title>']
    for i in (0, 50, 100):
        x = label_w + bar_w * i / 100
        parts.append(f'<line x1="{x:g}" y1="{top}" x2="{x:g}" y2="{height - 20}" stroke="#c9d1db"/>')
        parts.append(f'<text x="{x:g}" y="{height - 6}" font-size="11" text-anchor="middle" fill="#4a5360">{i}</text>')
    for n, (name, score) in enumerate(rows):
        y = top + n * row_h
        parts.append(f'<text x="{label_w - 8}" y="{y + 18}" font-size="13" text-anchor="end" '
                     f'fill="#1b1f24">{escape(name)}</text>')
        if score is None:
            parts.append(f'<text x="{label_w + 6}" y="{y + 18}" font-size="12" fill="#4a5360">'
                         f'{escape(none_label)}</text>')
            continue
        w = max(2.0, bar_w * max(0.0, min(100.0, score)) / 100)
        parts.append(f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row_h - 10}" '
                     f'fill="#{score_color(score)}" stroke="#1b1f24" stroke-width="0.5"/>')
        parts.append(f'<text x="{label_w + w + 6:.1f}" y="{y + 18}" font-size="13" fill="#1b1f24">{score:.0f}</text>')
    parts.append("</svg>")
    return "".join(parts)
