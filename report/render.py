"""Write the charts into one static HTML file: plotly's JavaScript embedded once, no
server, nothing fetched, so the page opens from disk and offline."""

from __future__ import annotations

import html
import logging
from datetime import UTC, datetime
from pathlib import Path

import plotly.io as pio

from report.charts import Chart

log = logging.getLogger(__name__)

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; }
section { margin-bottom: 2.5rem; }
p.reading { margin: 0.2rem 0 0 0.5rem; color: #444; }
"""


def render(charts: list[Chart], warehouse: Path) -> str:
    sections = []
    for index, chart in enumerate(charts):
        div = pio.to_html(
            chart.figure,
            full_html=False,
            # The library once, inline, before the first chart: the file is self-contained.
            include_plotlyjs=index == 0,
            div_id=f"chart-{chart.key}",
            config={"displaylogo": False, "responsive": True},
        )
        sections.append(
            f'<section class="chart" data-chart="{chart.key}">\n{div}\n'
            f'<p class="reading">{html.escape(chart.reading)}</p>\n</section>'
        )
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        "<title>telestream: the analysts' report</title>\n"
        f"<style>{STYLE}</style>\n</head>\n<body>\n"
        "<h1>telestream: the analysts' report</h1>\n"
        f"<p>Read from the marts of <code>{html.escape(str(warehouse))}</code> on {generated}. "
        "Definitions: the dbt docs of the analytics marts.</p>\n"
        + "\n".join(sections)
        + "\n</body>\n</html>\n"
    )


def write_report(charts: list[Chart], warehouse: Path, output: Path) -> Path:
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render(charts, warehouse), encoding="utf-8")
    log.info("wrote %d charts to %s (%d kB)", len(charts), output, output.stat().st_size // 1024)
    return output.resolve()
