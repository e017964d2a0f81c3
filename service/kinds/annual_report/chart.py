"""The report's chart as a PNG: indicator achievement and budget execution, print-safe.

Drawn with matplotlib's object API (a `Figure` of its own per chart, no pyplot and no global
state), so concurrent renders in one process do not interfere. Made to read in black and white:
greys and hatching tell the series apart, every bar carries its value, and the font is DejaVu
Sans (matplotlib's own, with Cyrillic and ң ө ү). The same data gives the same bytes: fixed size
and dpi, and no software or date in the PNG metadata.

The picture fills a drawing the template sizes (`WIDTH_CM` × `HEIGHT_CM`); the template's
placeholder has the same aspect ratio, so the chart is never stretched.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass
from decimal import Decimal

from matplotlib.figure import Figure
from matplotlib.patches import Patch

WIDTH_CM = 16.0
HEIGHT_CM = 15.0
DPI = 150
FONT = "DejaVu Sans"
CM_PER_INCH = 2.54

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


def render_chart(data: ChartData) -> bytes:
    """Draw the chart and return it as PNG bytes."""
    width, height = figure_size_px()
    fig = Figure(figsize=(width / DPI, height / DPI), dpi=DPI)
    top, bottom = fig.subplots(2, 1, height_ratios=[1.1, 1])
    _indicators(top, data)
    _budget(bottom, data)
    fig.subplots_adjust(left=0.1, right=0.97, top=0.94, bottom=0.1, hspace=0.5)
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
    return out.getvalue()


def _style(ax, title: str) -> None:
    ax.set_title(title, fontsize=10, fontweight="bold", family=FONT, loc="left")
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
    groups = data.budget
    xs = list(range(len(groups)))
    width = 0.38
    highest = max([float(max(g.planned, g.spent)) for g in groups] or [1.0]) or 1.0
    for x, group in zip(xs, groups, strict=True):
        for dx, value, text, grey, hatch in (
            (-width / 2, group.planned, group.planned_text, "1.0", "///"),
            (width / 2, group.spent, group.spent_text, "0.45", ""),
        ):
            ax.bar(
                x + dx, float(value), width, color=grey, hatch=hatch, edgecolor="black",
                linewidth=0.8,
            )  # fmt: skip
            ax.annotate(
                text,
                (x + dx, float(value)),
                xytext=(0, 2),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=7,
                family=FONT,
                rotation=90 if len(groups) > 5 else 0,
            )
    ax.set_xticks(xs, [textwrap.fill(g.source, 16) for g in groups])
    ax.set_ylim(0, highest * 1.35)
    ax.set_ylabel(data.budget_axis, fontsize=8, family=FONT)
    ax.ticklabel_format(axis="y", style="plain")
    ax.yaxis.set_major_formatter(lambda v, _pos: f"{v:,.0f}".replace(",", " "))
    legend_handles = [
        Patch(facecolor="1.0", hatch="///", edgecolor="black", label=data.planned_label),
        Patch(facecolor="0.45", edgecolor="black", label=data.spent_label),
    ]
    ax.legend(
        handles=legend_handles, frameon=False, loc="upper right", prop={"family": FONT, "size": 8}
    )
    _style(ax, data.budget_title)
