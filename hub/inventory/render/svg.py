"""Charts as inline SVG written by hand (no dependency): the score heatmap (applications × standards) and the
per-OPD summary (applications by state, with the number of gaps). The colour scale is shared with the XLSX
conditional formatting and the DOCX cell shading: red at 0, yellow at 50, green at 100."""

from __future__ import annotations

from html import escape

from hub.assessment.models import PREFIX_OF, STANDARDS
from hub.i18n import t
from hub.inventory.context import standard_names
from hub.inventory.models import HeatRow, OpdSummary

LOW, MID, HIGH, NONE = "F8696B", "FFEB84", "63BE7B", "E5E7EB"
MAX_ROWS = 300


def _mix(a: str, b: str, f: float) -> str:
    ca = [int(a[i:i + 2], 16) for i in (0, 2, 4)]
    cb = [int(b[i:i + 2], 16) for i in (0, 2, 4)]
    return "".join(f"{round(x + (y - x) * f):02X}" for x, y in zip(ca, cb, strict=True))


def score_color(score: float | None) -> str:
    """Hex colour (no #) of a 0-100 score on the red-yellow-green scale; grey when there is no score."""
    if score is None:
        return NONE
    s = max(0.0, min(100.0, float(score)))
    return _mix(LOW, MID, s / 50) if s <= 50 else _mix(MID, HIGH, (s - 50) / 50)


def count_color(value: int, worst: int) -> str:
    """White (0) to red (the largest count) for counts where more is worse."""
    if worst <= 0 or value <= 0:
        return "FFFFFF"
    return _mix("FFFFFF", LOW, min(1.0, value / worst))


def _text(x: float, y: float, body: str, **attrs: str) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in attrs.items())
    return f'<text x="{x:g}" y="{y:g}"{extra}>{escape(body)}</text>'


def heatmap_svg(rows: list[HeatRow], lang: str) -> str:
    names = standard_names()
    shown = rows[:MAX_ROWS]
    label_w, cell_w, cell_h, top = 260, 112, 20, 58
    width = label_w + cell_w * (len(STANDARDS) + 1) + 10
    height = top + cell_h * max(1, len(shown)) + 40
    title = t("inventory.chart.heatmap", lang)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart heatmap" role="img" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
             f"<title>{escape(title)}</title>", _text(4, 14, title, font_weight="bold", font_size="13")]
    for j, std in enumerate([*STANDARDS, "overall"]):
        label = names[std].get(lang).split(" (")[0] if std in names else t("inventory.col.overall", lang)
        x = label_w + j * cell_w + cell_w / 2
        parts.append(_text(x, top - 22, PREFIX_OF.get(std, "Σ"), text_anchor="middle", font_weight="bold"))
        parts.append(_text(x, top - 8, label, text_anchor="middle", font_size="10"))
    for i, row in enumerate(shown):
        y = top + i * cell_h
        parts.append(_text(4, y + 14, f"{row.app_id} — {row.opd}"[:44]))
        for j, score in enumerate([*(row.scores.get(s) for s in STANDARDS), row.overall]):
            x = label_w + j * cell_w
            parts.append(f'<rect x="{x}" y="{y}" width="{cell_w - 2}" height="{cell_h - 2}" '
                         f'fill="#{score_color(score)}"><title>{escape(row.app_id)}: '
                         f'{"-" if score is None else f"{score:g}"}</title></rect>')
            parts.append(_text(x + cell_w / 2 - 1, y + 13, "-" if score is None else f"{score:g}",
                               text_anchor="middle"))
    if not shown:
        parts.append(_text(4, top + 14, t("inventory.value.none", lang)))
    foot = top + cell_h * max(1, len(shown)) + 16
    legend = [(0, "0"), (50, "50"), (100, "100"), (None, t("inventory.value.not_assessed", lang))]
    x = 4.0
    for score, label in legend:
        parts.append(f'<rect x="{x:g}" y="{foot}" width="14" height="12" fill="#{score_color(score)}"/>')
        parts.append(_text(x + 18, foot + 10, label))
        x += 40 + 6.5 * len(label)
    if len(rows) > MAX_ROWS:
        parts.append(_text(x, foot + 10, t("inventory.chart.truncated", lang, shown=MAX_ROWS, total=len(rows))))
    parts.append("</svg>")
    return "".join(parts)


def opd_svg(summary: list[OpdSummary], lang: str) -> str:
    label_w, bar_w, row_h, top = 200, 420, 22, 44
    width = label_w + bar_w + 220
    height = top + row_h * max(1, len(summary)) + 40
    most = max((s.apps for s in summary), default=1) or 1
    title = t("inventory.chart.opd", lang)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart opd" role="img" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
             f"<title>{escape(title)}</title>", _text(4, 14, title, font_weight="bold", font_size="13")]
    segments = [("interoperable", HIGH), ("production_other", MID), ("other", NONE)]
    for i, s in enumerate(summary):
        y = top + i * row_h
        parts.append(_text(4, y + 14, s.opd[:32]))
        values = {"interoperable": s.interoperable, "production_other": s.production - s.interoperable,
                  "other": s.apps - s.production}
        x = float(label_w)
        for key, colour in segments:
            w = bar_w * values[key] / most
            if w > 0:
                parts.append(f'<rect x="{x:.1f}" y="{y + 2}" width="{w:.1f}" height="{row_h - 6}" fill="#{colour}">'
                             f'<title>{escape(s.opd)}: {values[key]} {escape(t(f"inventory.chart.{key}", lang))}'
                             f"</title></rect>")
            x += w
        note = t("inventory.chart.opd_note", lang, apps=s.apps, gaps=s.gaps)
        parts.append(_text(x + 6, y + 14, note, fill="#B91C1C" if s.gaps else "#374151"))
    foot = top + row_h * max(1, len(summary)) + 16
    lx = 4.0
    for key, colour in segments:
        label = t(f"inventory.chart.{key}", lang)
        parts.append(f'<rect x="{lx:g}" y="{foot}" width="14" height="12" fill="#{colour}"/>')
        parts.append(_text(lx + 18, foot + 10, label))
        lx += 40 + 6.5 * len(label)
    parts.append("</svg>")
    return "".join(parts)
