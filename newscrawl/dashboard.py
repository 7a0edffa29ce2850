"""The operator's dashboard: one self-contained HTML page drawn from the run history (``runs``) and the stored
tickers. Charts are Vega-Lite specs built with altair; the Vega, Vega-Lite and vega-embed scripts come inlined
from vl-convert-python's bundle, so the page opens from a file with no server and no network.

Per site over the window: articles per run (flagged runs marked), fetch failures and parse errors by reason,
missing-field and render-fallback shares of article pages, duration; the last run's flags in plain words at
the top; one price chart per ticker symbol, grouped by market."""

from __future__ import annotations

import html
import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import altair as alt

WIDTH, HEIGHT = 340, 160


def _run_label(started_at: str) -> str:
    return started_at[5:16].replace("T", " ")  # MM-DD HH:MM, in the run's own (KST) offset


def site_rows(runs: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Site -> one row per run with the figures the charts draw."""
    by_site: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for run in runs:
        for report in run["sites"]:
            pages = report.get("article_pages") or 0
            missing = {k.removeprefix("article/missing_"): v for k, v in (report.get("dropped") or {}).items()
                       if k.startswith("article/missing_")}
            shares = {f"missing {field}": count / pages for field, count in missing.items()} if pages else {}
            if pages:
                shares["unparseable"] = sum((report.get("parse_errors") or {}).values()) / pages
                shares["render fallback"] = (report.get("render_fallback") or 0) / pages
            problems = {f"fetch: {k}": v for k, v in (report.get("fetch_failed") or {}).items()}
            problems |= {f"parse: {k}": v for k, v in (report.get("parse_errors") or {}).items()}
            by_site[report.get("site", "?")].append({
                "run": _run_label(run["started_at"]), "started_at": run["started_at"], "command": run["command"],
                "articles": (report.get("items") or {}).get("article", 0), "pages": report.get("pages_fetched", 0),
                "duration_s": report.get("duration_s") or 0, "flags": report.get("flags") or [],
                "shares": shares, "problems": problems,
            })
    return dict(sorted(by_site.items()))


def _ordinal_x(rows: list[dict[str, Any]]) -> alt.X:
    runs = [r["run"] for r in rows]  # every chart of a site spans every run, even with no value in it
    return alt.X("run:O", title="run (start, KST)", sort=runs, scale=alt.Scale(domain=runs))


def site_charts(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Chart name -> Vega-Lite spec for one site."""
    runs = [{"run": r["run"], "articles": r["articles"], "pages": r["pages"], "duration_s": r["duration_s"],
             "flagged": "flagged" if r["flags"] else "ok", "flags": "; ".join(r["flags"]) or "none"} for r in rows]
    x = _ordinal_x(rows)
    color = alt.Color("flagged:N", scale=alt.Scale(domain=["ok", "flagged"], range=["#3b7dd8", "#d62728"]),
                      legend=alt.Legend(title=None))
    base = alt.Chart(alt.Data(values=runs)).properties(width=WIDTH, height=HEIGHT)
    articles = (base.mark_line(color="#999").encode(x=x, y=alt.Y("articles:Q", title="articles"))
                + base.mark_point(filled=True, size=70).encode(
                    x=x, y="articles:Q", color=color, tooltip=["run:O", "articles:Q", "pages:Q", "flags:N"])
                ).properties(title="Articles per run")
    duration = base.mark_bar(color="#8c6bb1").encode(
        x=x, y=alt.Y("duration_s:Q", title="seconds"), tooltip=["run:O", "duration_s:Q"]).properties(
        title="Duration")
    charts = {"articles": articles.to_dict(), "duration": duration.to_dict()}
    problems = [{"run": r["run"], "reason": k, "count": v} for r in rows for k, v in r["problems"].items()]
    if problems:
        charts["problems"] = alt.Chart(alt.Data(values=problems)).mark_bar().encode(
            x=x, y=alt.Y("sum(count):Q", title="pages"), color=alt.Color("reason:N", title=None),
            tooltip=["run:O", "reason:N", "count:Q"]).properties(
            title="Fetch failures and parse errors by reason", width=WIDTH, height=HEIGHT).to_dict()
    shares = [{"run": r["run"], "measure": k, "share": v} for r in rows for k, v in r["shares"].items()]
    if shares:
        charts["shares"] = alt.Chart(alt.Data(values=shares)).mark_line(point=True).encode(
            x=x, y=alt.Y("share:Q", title="share of article pages", axis=alt.Axis(format="%"),
                         scale=alt.Scale(domain=[0, max(0.25, *(s["share"] for s in shares))])),
            color=alt.Color("measure:N", title=None), tooltip=["run:O", "measure:N", alt.Tooltip("share:Q", format=".1%")],
        ).properties(title="Missing fields, unparseable pages, render fallback", width=WIDTH, height=HEIGHT).to_dict()
    return charts


def ticker_charts(tickers: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Market -> one faceted chart: a price line per symbol over time, each with its own scale."""
    by_market: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for t in tickers:
        label = f"{t['name']} ({t['code']})" if t.get("code") and t["code"] != t["name"] else t["name"]
        by_market[t["market"]].append({"symbol": f"{label} · {t['site']}", "time": t.get("as_of") or t["observed_at"],
                                       "price": float(t["price"]), "currency": t.get("currency") or ""})
    charts = {}
    for market, points in sorted(by_market.items()):
        charts[market] = alt.Chart(alt.Data(values=points)).mark_line(point=True).encode(
            x=alt.X("time:T", title=None), y=alt.Y("price:Q", title=None, scale=alt.Scale(zero=False)),
            tooltip=["symbol:N", alt.Tooltip("time:T", format="%Y-%m-%d %H:%M"), "price:Q", "currency:N"],
        ).properties(width=230, height=110).facet(
            facet=alt.Facet("symbol:N", title=None), columns=3).resolve_scale(y="independent").to_dict()
    return charts


def _flag_list(flags: list[str]) -> str:
    return "<ul class=flags>" + "".join(f"<li>{html.escape(f)}</li>" for f in flags) + "</ul>"


def last_run_html(runs: list[dict[str, Any]], days: int) -> str:
    if not runs:
        return f"<section id=last-run class=empty><h2>No run in the last {days} days</h2></section>"
    run = runs[-1]
    state = "flagged" if run["flags"] else "ok"
    head = (f"Last run: {html.escape(run['command'])}, started {html.escape(run['started_at'])}, "
            f"finished {html.escape(run['finished_at'])}, exit code {run['exit_code']}")
    body = (f"<p>{len(run['flags'])} flag{'s' if len(run['flags']) != 1 else ''}:</p>{_flag_list(run['flags'])}"
            if run["flags"] else "<p>No flags: every site fetched pages, yielded articles and kept its layout.</p>")
    return f"<section id=last-run class={state}><h2>{head}</h2>{body}</section>"


def render(runs: list[dict[str, Any]], tickers: Iterable[dict[str, Any]], days: int, generated_at: str) -> str:
    """The whole page."""
    import vl_convert  # the inlined Vega/Vega-Lite/vega-embed bundle

    specs: dict[str, dict[str, Any]] = {}
    sections = []
    for site, rows in site_rows(runs).items():
        charts = site_charts(rows)
        divs = []
        for name, spec in charts.items():
            chart_id = f"chart-{len(specs)}"
            specs[chart_id] = spec
            divs.append(f"<div class=chart id={chart_id} data-chart='{html.escape(site)} {name}'></div>")
        flagged = [f"{r['run']} ({r['command']}): {f}" for r in rows for f in r["flags"]]
        flags = (f"<h3>Flags in the window</h3>{_flag_list(flagged)}" if flagged else "<p>No flags in the window.</p>")
        sections.append(f"<section class=site id='site-{html.escape(site)}'><h2>{html.escape(site)}</h2>"
                        f"<p>{len(rows)} runs</p><div class=charts>{''.join(divs)}</div>{flags}</section>")
    ticker_divs = []
    for market, spec in ticker_charts(tickers).items():
        chart_id = f"chart-{len(specs)}"
        specs[chart_id] = spec
        ticker_divs.append(f"<h3>{html.escape(market)}</h3><div class=chart id={chart_id} "
                           f"data-chart='tickers {html.escape(market)}'></div>")
    tickers_html = "".join(ticker_divs) or "<p>No ticker in the window.</p>"
    data = json.dumps(specs, ensure_ascii=False).replace("</", "<\\/")
    bundle = vl_convert.javascript_bundle(vl_version="_".join(alt.SCHEMA_VERSION.split(".")[:2]))  # "v6_4"
    return PAGE.format(
        generated=html.escape(generated_at), days=days, runs=len(runs), last_run=last_run_html(runs, days),
        sites="".join(sections) or "<p>No site report in the window.</p>", tickers=tickers_html,
        bundle=bundle.replace("</script", "<\\/script"), specs=data)


def window_start(now: datetime, days: int) -> str:
    return (now - timedelta(days=days)).isoformat(timespec="seconds")


PAGE = """<!DOCTYPE html>
<html lang=en><head><meta charset=utf-8><title>newscrawl dashboard</title>
<style>
body {{ font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }}
h1 {{ margin: 0 0 .2em; }} h2 {{ margin: .2em 0; font-size: 1.2em; }} h3 {{ font-size: 1em; margin: .8em 0 .3em; }}
#last-run {{ padding: .6em 1em; border-radius: 6px; margin: 1em 0; }}
#last-run.ok {{ background: #e6f4ea; }} #last-run.flagged {{ background: #fde8e8; border: 2px solid #d62728; }}
#last-run.empty {{ background: #eee; }}
.flags li {{ color: #a11; }}
.site {{ border-top: 1px solid #ccc; padding-top: .5em; margin-top: 1em; }}
.charts {{ display: flex; flex-wrap: wrap; gap: 1em; }}
.meta {{ color: #666; }}
</style></head>
<body>
<h1>newscrawl</h1>
<p class=meta>Generated {generated} from {runs} runs in the last {days} days.</p>
{last_run}
<h2>Sites</h2>
{sites}
<section id=tickers><h2>Tickers</h2>{tickers}</section>
<script>{bundle}</script>
<script>
const specs = {specs};
Promise.all(Object.entries(specs).map(([id, spec]) =>
  vegaEmbed("#" + id, spec, {{renderer: "svg", actions: false}})
    .then(() => {{ document.getElementById(id).dataset.drawn = "1"; }})
    .catch(error => {{ console.error("chart " + id + ": " + error); }})
)).then(() => {{ document.body.dataset.ready = "1"; }});
</script>
</body></html>
"""
