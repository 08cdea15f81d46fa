"""The report's charts: one function per chart, from its rows to a titled plotly figure.

Every chart names its axes with units and carries one sentence that says what to look
for, computed from the data it shows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go

from report.data import ReportData

ANOMALY_COLOUR = "#d62728"


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    reading: str
    figure: go.Figure


def _layout(figure: go.Figure, title: str, x_title: str, y_title: str) -> go.Figure:
    figure.update_layout(
        title={"text": title},
        xaxis_title=x_title,
        yaxis_title=y_title,
        template="plotly_white",
        legend={"orientation": "h", "y": -0.2},
        margin={"t": 60, "b": 80},
        height=420,
    )
    return figure


def _eur(value: Decimal | float) -> str:
    return f"{float(value):,.0f} EUR"


def revenue_per_day(data: ReportData) -> Chart:
    totals: dict[Any, Decimal] = defaultdict(Decimal)
    for row in data.rows("daily_revenue"):
        totals[row["order_date"]] += row["revenue_eur"]
    days = sorted(totals)
    anomalies = data.rows("revenue_anomalies")
    figure = go.Figure(
        go.Scatter(
            x=days, y=[float(totals[day]) for day in days], mode="lines+markers", name="revenue"
        )
    )
    figure.add_trace(
        go.Scatter(
            x=[row["order_date"] for row in anomalies],
            y=[float(totals.get(row["order_date"], 0)) for row in anomalies],
            mode="markers",
            marker={"color": ANOMALY_COLOUR, "size": 12},
            name="anomaly (a channel's day)",
            text=[f"{row['order_channel']}: z = {float(row['z_score']):.1f}" for row in anomalies],
        )
    )
    title = "Shop revenue per day"
    _layout(figure, title, "order date", "revenue (EUR)")
    best = max(days, key=lambda day: totals[day]) if days else None
    reading = (
        f"Revenue per day; red points are days on which a channel's revenue lies more than "
        f"{data.z_score_threshold:g} standard deviations from its trailing 28 days "
        f"({len(anomalies)} flagged). Best day: {best} with {_eur(totals[best])}."
        if best
        else "No orders loaded yet."
    )
    return Chart("revenue_per_day", title, reading, figure)


def revenue_by_channel(data: ReportData) -> Chart:
    per_channel: dict[str, dict[Any, Decimal]] = defaultdict(dict)
    for row in data.rows("daily_revenue"):
        per_channel[row["order_channel"]][row["order_date"]] = row["revenue_eur"]
    figure = go.Figure(
        [
            go.Bar(x=sorted(days), y=[float(days[day]) for day in sorted(days)], name=channel)
            for channel, days in sorted(per_channel.items())
        ]
    )
    figure.update_layout(barmode="stack")
    title = "Shop revenue per day by channel"
    _layout(figure, title, "order date", "revenue (EUR)")
    shares = {channel: sum(days.values()) for channel, days in per_channel.items()}
    total = sum(shares.values()) or Decimal(1)
    reading = "Each bar is a day's revenue, split by channel; over the period " + ", ".join(
        f"{channel} brought {float(amount / total):.0%}"
        for channel, amount in sorted(shares.items(), key=lambda item: -item[1])
    )
    return Chart("revenue_by_channel", title, reading + ".", figure)


def top_products(data: ReportData) -> Chart:
    rows = data.rows("top_products")
    month = rows[0]["month_start_date"] if rows else None
    figure = go.Figure(
        go.Bar(
            x=[float(row["revenue_eur"]) for row in reversed(rows)],
            y=[f"#{row['revenue_rank']} {row['product_name']}" for row in reversed(rows)],
            orientation="h",
            name="revenue",
        )
    )
    title = f"Top 10 products by revenue, {month:%B %Y}" if month else "Top 10 products"
    _layout(figure, title, "revenue (EUR)", "product (rank)")
    reading = (
        f"The month's ten best sellers; {rows[0]['product_name']} ({rows[0]['product_category']}) "
        f"leads with {_eur(rows[0]['revenue_eur'])}."
        if rows
        else "No revenue yet."
    )
    return Chart("top_products", title, reading, figure)


def rfm_segments(data: ReportData) -> Chart:
    rows = data.rows("rfm_segments")
    figure = go.Figure(
        go.Bar(
            x=[row["rfm_segment"] for row in rows],
            y=[row["customer_count"] for row in rows],
            text=[_eur(row["customer_value_eur"]) for row in rows],
            name="customers",
        )
    )
    title = "Customers per RFM segment"
    _layout(figure, title, "RFM segment", "customers (count)")
    largest = rows[0] if rows else None
    reading = (
        f"Customers by recency and frequency of their shop orders (labels: their combined shop "
        f"and telecom value); the largest segment is {largest['rfm_segment']} with "
        f"{largest['customer_count']} customers."
        if largest
        else "No customers yet."
    )
    return Chart("rfm_segments", title, reading, figure)


def cohort_retention(data: ReportData) -> Chart:
    rows = data.rows("cohort_retention")
    cohorts = sorted({row["cohort_month"] for row in rows})
    offsets = sorted({row["months_since_signup"] for row in rows})
    share = {(row["cohort_month"], row["months_since_signup"]): row for row in rows}
    figure = go.Figure(
        go.Heatmap(
            x=offsets,
            y=[f"{cohort:%Y-%m}" for cohort in cohorts],
            z=[
                [
                    float(share[(cohort, offset)]["retention_share"])
                    if (cohort, offset) in share
                    else None
                    for offset in offsets
                ]
                for cohort in cohorts
            ],
            colorscale="Blues",
            zmin=0,
            zmax=1,
            colorbar={"title": {"text": "retained (share)"}},
        )
    )
    title = "Cohort retention: share of each signup month still ordering or calling"
    _layout(figure, title, "months since signup", "signup month (cohort)")
    figure.update_xaxes(dtick=1)
    # Month labels are categories, not dates plotly should place on a time axis.
    figure.update_yaxes(type="category")
    latest = max(rows, key=lambda row: row["cohort_month"]) if rows else None
    reading = (
        f"Darker is better; {len(cohorts)} cohorts, the newest ({latest['cohort_month']:%Y-%m}, "
        f"{latest['cohort_size']} customers) retains {float(latest['retention_share']):.0%} "
        f"in month {latest['months_since_signup']}."
        if latest
        else "No customers yet."
    )
    return Chart("cohort_retention", title, reading, figure)


def dropped_call_rate(data: ReportData) -> Chart:
    per_region: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in data.rows("dropped_call_rate"):
        if row["dropped_call_rate"] is not None:
            per_region[row["region_name"]].append(row)
    figure = go.Figure(
        [
            go.Scatter(
                x=[row["call_date"] for row in rows],
                y=[100 * float(row["dropped_call_rate"]) for row in rows],
                mode="lines+markers",
                name=region,
            )
            for region, rows in sorted(per_region.items())
        ]
    )
    title = "Dropped-call rate per region and day"
    _layout(figure, title, "call date", "dropped voice calls (% of voice calls)")
    averages = {
        region: sum(float(r["dropped_call_rate"]) * r["voice_call_count"] for r in rows)
        / max(sum(r["voice_call_count"] for r in rows), 1)
        for region, rows in per_region.items()
    }
    worst = max(averages, key=lambda region: averages[region]) if averages else None
    reading = (
        f"Share of voice calls the network dropped; over the period {worst} is highest at "
        f"{averages[worst]:.1%}."
        if worst
        else "No voice calls yet."
    )
    return Chart("dropped_call_rate", title, reading, figure)


def plan_arpu(data: ReportData) -> Chart:
    rows = data.rows("plan_arpu")
    per_plan: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        per_plan[row["plan_version"]].append(row)
    figure = go.Figure(
        [
            go.Bar(
                x=[f"{row['month_start_date']:%Y-%m}" for row in plan_rows],
                y=[float(row["arpu_eur"]) for row in plan_rows],
                name=plan,
            )
            for plan, plan_rows in sorted(per_plan.items())
        ]
    )
    figure.update_layout(barmode="group")
    title = "ARPU per service plan version and month"
    _layout(figure, title, "month", "ARPU (EUR per active subscription)")
    figure.update_xaxes(type="category")
    best = max(rows, key=lambda row: row["arpu_eur"]) if rows else None
    reading = (
        f"Monthly fee plus usage per active subscription; {best['plan_version']} earns most, "
        f"{float(best['arpu_eur']):,.2f} EUR per subscription in {best['month_start_date']:%Y-%m}."
        if best
        else "No subscriptions yet."
    )
    return Chart("plan_arpu", title, reading, figure)


CHARTS: tuple[Callable[[ReportData], Chart], ...] = (
    revenue_per_day,
    revenue_by_channel,
    top_products,
    rfm_segments,
    cohort_retention,
    dropped_call_rate,
    plan_arpu,
)


def build_charts(data: ReportData) -> list[Chart]:
    return [chart(data) for chart in CHARTS]
