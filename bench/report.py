"""The benchmark's tables, targets and the load average printed beside them."""

import os


def render_table(results):
    lines = [
        "| page | queries | uncached p50 / p95 / p99 ms | uncached req/s "
        "| cached p50 / p95 / p99 ms | cached req/s | cached ÷ uncached "
        "| gunicorn req/s | gunicorn p50 / p99 ms | ÷ static |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]

    def trio(row):
        return f"{row['p50']:.1f} / {row['p95']:.1f} / {row['p99']:.1f}"

    for page, row in results["pages"].items():
        cached, server = row.get("cached"), row["server"]
        cached_cells = (
            f"{trio(cached)} | {cached['req_per_s']:.0f} | {row['speedup']:.0f}×"
            if cached
            else "never cached | – | –"
        )
        lines.append(
            f"| {page} | {row['queries']} | {trio(row['uncached'])} "
            f"| {row['uncached']['req_per_s']:.0f} | {cached_cells} "
            f"| {server['req_per_s']:.0f} | {server['p50']:.1f} / {server['p99']:.1f} "
            f"| {server['ratio_to_static']:.2f} |"
        )
    static, cold, saturation = results["static"], results["cold_articles"], results["saturation"]
    lines.append(
        f"| static file (ceiling) | – | – | – | – | – | – | {static['req_per_s']:.0f} "
        f"| {static['p50']:.1f} / {static['p99']:.1f} | 1.00 |"
    )
    lines.append(
        f"| article, uncached (20k distinct) | – | – | – | – | – | – | {cold['req_per_s']:.0f} "
        f"| {cold['p50']:.1f} / {cold['p99']:.1f} | {cold['req_per_s'] / static['req_per_s']:.2f} |"
    )
    lines.append("")
    lines.append(
        f"Saturation, {saturation['seconds']} s, 64 connections, mixed pages: "
        f"{saturation['requests']} requests, {saturation['req_per_s']:.0f} req/s, "
        f"p50 {saturation['p50']:.1f} ms, p99 {saturation['p99']:.1f} ms, "
        f"**{saturation['errors']} errors**. Peak worker RSS: "
        f"{results['peak_worker_rss_mb']:.0f} MB."
    )
    saves = results["admin_save"]
    lines.append(
        "The admin's save of a published story with 3 bylines, 2 quotes and 5 tags: "
        f"add p50 {saves['add']['p50_ms']:.0f} ms, {saves['add']['queries']} queries; "
        f"change p50 {saves['change']['p50_ms']:.0f} ms, {saves['change']['queries']} queries."
    )
    if "edge" in results:
        from bench import edge

        lines += ["", edge.render(results["edge"])]
    lines += ["", target_lines(results["targets"])]
    lines.append(f"\nLoad average (1, 5, 15 min) at the end: {results['run']['load_average']}")
    return "\n".join(lines)


def target(measured, op, limit):
    return {
        "target": limit,
        "op": op,
        "measured": measured,
        "met": measured <= limit if op == "≤" else measured >= limit,
    }


def load_average():
    """Other work on the machine skews every figure: printed beside them."""
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def target_lines(targets):
    return "\n".join(
        f"- {name}: {row['measured']:.2f} (target {row['op']} {row['target']}) "
        f"{'met' if row['met'] else 'NOT MET'}"
        for name, row in targets.items()
    )
