"""The report's chart as a PNG: indicator achievement and budget execution, print-safe.

Drawn with matplotlib's object API (a `Figure` of its own per chart, no pyplot and no global
state), so concurrent renders in one process do not interfere. Made to read in black and white:
greys and hatching tell the series apart, every bar carries its value, and the font is DejaVu
Sans (matplotlib's own, with Cyrillic and ң ө ү). The same data gives the same bytes: fixed size
and dpi, and no software or date in the PNG metadata. Every label stays inside the picture
(matplotlib's constrained layout makes room for the longest tick label), value labels never
overlap (the budget's bars are horizontal, each value to the right of its bar), and numbers
are printed as the tables print them.

The picture fills a drawing the template sizes (`WIDTH_CM` × `HEIGHT_CM`); the template's
placeholder has the same aspect ratio, so the chart is never stretched.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

WIDTH_CM = 16.0
HEIGHT_CM = 15.0
DPI = 150
FONT = "DejaVu Sans"
CM_PER_INCH = 2.54
# Characters of a bold 10 pt title that fit on one line above a chart.
TITLE_CHARS = 48

# Styles of the indicator bars, by trend: fill grey and hatch.
TREND_STYLES = {
    "target_reached": ("0.25", ""),
    "improved": ("0.65", "///"),
    "unchanged": ("1.0", ""),
    "worsened": ("1.0", "xxx"),
    "no_data": ("1.0", ""),
}


@dataclass(frozen=True)
class IndicatorBar:
    ref: str
    value: Decimal | None  # % of the target reached; None: no data or no planned change
    text: str  # the label printed by the bar, as the table prints it
    trend: str


@dataclass(frozen=True)
class BudgetBars:
    source: str
    planned: Decimal
    spent: Decimal
    planned_text: str
    spent_text: str


@dataclass(frozen=True)
class ChartData:
    """Everything the chart shows, with its words already in the document's language."""

    indicators_title: str
    indicators_axis: str
    indicators: tuple[IndicatorBar, ...]
    budget_title: str
    budget_axis: str
    planned_label: str
    spent_label: str
    budget: tuple[BudgetBars, ...]


def figure_size_px() -> tuple[int, int]:
    """The PNG's size in pixels."""
    return (
        round(WIDTH_CM / CM_PER_INCH * DPI),
        round(HEIGHT_CM / CM_PER_INCH * DPI),
    )


def draw(data: ChartData) -> Figure:
    """The chart's figure (laid out when it is saved)."""
    # matplotlib (some 50 MiB) is loaded only by a process that draws a chart.
    from matplotlib.figure import Figure

    width, height = figure_size_px()
    fig = Figure(figsize=(width / DPI, height / DPI), dpi=DPI, layout="constrained")
    fig.get_layout_engine().set(h_pad=0.08, hspace=0.08)
    top, bottom = fig.subplots(2, 1, height_ratios=[1.1, 1])
    _indicators(top, data)
    _budget(bottom, data)
    return fig


def render_chart(data: ChartData) -> bytes:
    """Draw the chart and return it as PNG bytes."""
    fig = draw(data)
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
    return out.getvalue()


def _style(ax, title: str) -> None:
    # Wrapped to the chart's width: a long title in either language stays inside the picture.
    ax.set_title(
        textwrap.fill(title, TITLE_CHARS), fontsize=10, fontweight="bold", family=FONT, loc="left"
    )
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=8)
    for label in (*ax.get_xticklabels(), *ax.get_yticklabels()):
        label.set_family(FONT)


def _indicators(ax, data: ChartData) -> None:
    bars = data.indicators
    refs = [b.ref for b in bars]
    values = [float(b.value) if b.value is not None else 0.0 for b in bars]
    positions = list(range(len(bars)))[::-1]  # the first indicator on top
    for y, bar, value in zip(positions, bars, values, strict=True):
        grey, hatch = TREND_STYLES[bar.trend]
        ax.barh(y, value, height=0.6, color=grey, hatch=hatch, edgecolor="black", linewidth=0.8)
        offset = 3 if value >= 0 else -3
        ax.annotate(
            bar.text,
            (value, y),
            xytext=(offset, 0),
            textcoords="offset points",
            ha="left" if value >= 0 else "right",
            va="center",
            fontsize=8,
            family=FONT,
        )
    ax.axvline(0, color="black", linewidth=0.8)
    ax.axvline(100, color="black", linewidth=1, linestyle="--")
    low = min([0.0, *values])
    high = max([100.0, *values])
    span = high - low
    ax.set_xlim(low - (0.3 * span if low < 0 else 0), high + 0.25 * span)
    ax.set_yticks(positions, refs)
    ax.set_ylim(-0.7, len(bars) - 0.3)
    ax.set_xlabel(data.indicators_axis, fontsize=8, family=FONT)
    _style(ax, data.indicators_title)


def _budget(ax, data: ChartData) -> None:
    from matplotlib.patches import Patch
    from matplotlib.ticker import MaxNLocator

    """Planned and spent per source, as horizontal bar pairs (the first source on top), each
    value printed to the right of its bar."""
    groups = data.budget
    height = 0.38
    highest = max([float(max(g.planned, g.spent)) for g in groups] or [1.0]) or 1.0
    positions = list(range(len(groups)))[::-1]
    for y, group in zip(positions, groups, strict=True):
        for dy, value, text, grey, hatch in (
            (height / 2, group.planned, group.planned_text, "1.0", "///"),
            (-height / 2, group.spent, group.spent_text, "0.45", ""),
        ):
            ax.barh(
                y + dy, float(value), height, color=grey, hatch=hatch, edgecolor="black",
                linewidth=0.8,
            )  # fmt: skip
            ax.annotate(
                text,
                (float(value), y + dy),
                xytext=(3, 0),
                textcoords="offset points",
                ha="left",
                va="center",
                fontsize=7,
                family=FONT,
            )
    ax.set_yticks(positions, [textwrap.fill(g.source, 22) for g in groups])
    # Room on the right for the longest value label («1 160 985,10»).
    ax.set_xlim(0, highest * 1.4)
    ax.set_ylim(-0.7, len(groups) - 0.3)
    ax.set_xlabel(data.budget_axis, fontsize=8, family=FONT)
    ax.xaxis.set_major_formatter(lambda v, _pos: f"{v:,.0f}".replace(",", "\u00a0"))
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
    legend_handles = [
        Patch(facecolor="1.0", hatch="///", edgecolor="black", label=data.planned_label),
        Patch(facecolor="0.45", edgecolor="black", label=data.spent_label),
    ]
    # Below the axis, where no bar or value can be.
    ax.legend(
        handles=legend_handles,
        frameon=False,
        ncol=2,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.22),
        prop={"family": FONT, "size": 8},
    )
    _style(ax, data.budget_title)
