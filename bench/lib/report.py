"""report: the side-by-side table of bench/run, as text and Markdown."""
import os
import re
import subprocess

import nodes


def _version(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True,
                             timeout=10).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(r"(\d+\.\d+\.\d+)", out)
    return m.group(1) if m else None


# The systems in the order of the columns; the ratio columns are dvrflow
# over each OVN.
SYSTEMS = ("dvrflow", "ovn", "ovn-26.03")


def versions(a):
    v = {"ovs": _version(["ovs-vswitchd", "--version"]),
         "dvrflow-nb-monitoring": ("all" if getattr(a, "monitor_all", False)
                                   else "conditional")}
    for c in a.compare:
        v[c] = _version([nodes.ovn_bin(c, "ovn-controller"), "--version"])
    try:
        v["dvrflow"] = subprocess.run(
            ["git", "-C", a.srcdir, "describe", "--always", "--dirty"],
            capture_output=True, text=True, timeout=10).stdout.strip()
    except OSError:
        v["dvrflow"] = None
    return v


def _mib(kib):
    return kib / 1024.0 if kib is not None else None


def _sum(d):
    return sum(d.values()) if d else None


# (label, function of one system's result -> number, format, smaller is
# better?)  The ratio column is dvrflow / OVN.
ROWS = [
    ("converge: NB load start -> all flows in (s)",
     lambda r: r.get("converge_s"), "%.2f"),
    ("  node's nb_cfg ack (s)", lambda r: r.get("ack_s"), "%.2f"),
    ("  NB load transactions (s)", lambda r: r.get("load_s"), "%.2f"),
    ("flows br-int", lambda r: r.get("flows_br_int"), "%d"),
    ("flows all bridges", lambda r: r.get("flows_total"), "%d"),
    ("controller CPU in converge (s)",
     lambda r: r.get("cpu_converge_s", {}).get(
         "dvr-controller", r.get("cpu_converge_s", {}).get(
             "ovn-controller")), "%.2f"),
    ("  + ovn-northd CPU (s)",
     lambda r: r.get("cpu_converge_s", {}).get("ovn-northd"), "%.2f"),
    ("  ovs-vswitchd CPU (s)",
     lambda r: r.get("vswitchd_cpu_converge_s"), "%.2f"),
    ("controller peak RSS (MiB)",
     lambda r: _mib(r.get("rss_peak_kib", {}).get(
         "dvr-controller", r.get("rss_peak_kib", {}).get(
             "ovn-controller"))), "%.1f"),
    ("  ovn-northd peak RSS (MiB)",
     lambda r: _mib(r.get("rss_peak_kib", {}).get("ovn-northd")), "%.1f"),
    ("port+FIP change p50 (ms)", lambda r: r.get("incr_p50_ms"), "%.1f"),
    ("port+FIP change p99 (ms)", lambda r: r.get("incr_p99_ms"), "%.1f"),
    ("  controller's compile+install p50 (ms)",
     lambda r: r.get("incr_ctl_p50_ms"), "%.1f"),
    ("  controller's compile+install p99 (ms)",
     lambda r: r.get("incr_ctl_p99_ms"), "%.1f"),
    ("  flows per change", lambda r: r.get("incr_flows_per_change"),
     "%.1f"),
    ("restart -> reconciled (s)", lambda r: r.get("restart_s"), "%.2f"),
    ("  flows changed (flow monitor)",
     lambda r: r.get("restart_flow_changes", {}).get("total"), "%d"),
    ("  flows changed (ofctrl counters)",
     lambda r: r.get("restart_ofctrl_changes"), "%d"),
    ("install rate, converge (flows/s)", lambda r: r.get("rate"), "%.0f"),
    ("raw bundle add-flows (flows/s)", lambda r: r.get("raw_rate"),
     "%.0f"),
    ("  raw: ovs-ofctl CPU (s)", lambda r: r.get("raw_ofctl_cpu_s"),
     "%.2f"),
    ("  raw: ovs-vswitchd CPU (s)", lambda r: r.get("raw_vswitchd_cpu_s"),
     "%.2f"),
    ("install rate / raw", lambda r: r.get("rate_vs_raw"), "%.3f"),
]


def _fmt(fmt, v):
    if v is None:
        return "-"
    if fmt == "%d":
        return "%d" % round(v)
    return fmt % v


def _systems(res):
    return [s for s in SYSTEMS if s in res]


def _ratio(a, b):
    if a is None or b is None or b == 0:
        return "-"
    return "%.3f" % (a / b)


def _columns(results):
    """(size, system) and (size, "dvr/" + OVN) for the ratio columns."""
    cols = []
    for size, res in results["sizes"].items():
        systems = _systems(res)
        cols += [(size, s) for s in systems]
        if "dvrflow" in res:
            cols += [(size, "dvr/" + s) for s in systems if s != "dvrflow"]
    return cols


def _cell(results, size, system, fn, fmt):
    res = results["sizes"][size]
    if system.startswith("dvr/"):
        return _ratio(fn(res["dvrflow"]), fn(res[system[4:]]))
    return _fmt(fmt, fn(res[system]))


def _dims(results, size):
    d = results["sizes"][size]["dims"]
    return "T=%d P=%d F=%d R=%d" % (d["T"], d["P"], d["F"], d["R"])


def table_rows(results):
    cols = _columns(results)
    header = ["metric"] + ["%s %s" % (size, s) for size, s in cols]
    rows = []
    for label, fn, fmt in ROWS:
        cells = [_cell(results, size, s, fn, fmt) for size, s in cols]
        if all(c == "-" for c in cells):
            continue
        rows.append([label] + cells)
    return header, rows


def dataplane_rows(results):
    dp = results.get("dataplane")
    if not dp:
        return None, []
    systems = _systems(dp)
    others = [s for s in systems if s != "dvrflow" and "dvrflow" in dp]
    header = (["data plane (netdev sandbox)"] + systems
              + ["dvr/" + s for s in others])
    labels = [
        ("iperf3 VM->VM, one network (Gbit/s)", "l2_gbps", "%.2f"),
        ("ping VM->VM, one network (ms)", "l2_ping_ms", "%.3f"),
        ("iperf3 VM->VM, routed (Gbit/s)", "routed_gbps", "%.2f"),
        ("ping VM->VM, routed (ms)", "routed_ping_ms", "%.3f"),
        ("iperf3 external->FIP (Gbit/s)", "fip_gbps", "%.2f"),
        ("ping external->FIP (ms)", "fip_ping_ms", "%.3f"),
        ("megaflows on hv1, routed, 1 stream", "megaflows_1_stream", "%d"),
        ("megaflows on hv1, routed, 8 streams", "megaflows_8_streams",
         "%d"),
        ("megaflows per extra TCP connection", "megaflows_per_conn",
         "%.1f"),
    ]
    rows = []
    for label, key, fmt in labels:
        vals = [dp[s].get(key) for s in systems]
        if all(v is None for v in vals):
            continue
        cells = [_fmt(fmt, v) for v in vals]
        cells += [_ratio(dp["dvrflow"].get(key), dp[s].get(key))
                  for s in others]
        rows.append([label] + cells)
        spread = [dp[s].get(key + "_runs") for s in systems]
        if any(spread):
            rows.append(["  %d runs, min-max" % max(len(x or [])
                                                    for x in spread)]
                        + ["%.2f-%.2f" % (x[0], x[-1]) if x else "-"
                           for x in spread] + [""] * len(others))
    return header, rows


def dataplane_notes(results):
    dp = results.get("dataplane") or {}
    notes = []
    for s in _systems(dp):
        if dp[s].get("path"):
            notes.append("%s data plane: %s" % (s, dp[s]["path"]))
        for k in sorted(dp[s]):
            if k.endswith("error"):
                notes.append("%s data plane, not measured: %s"
                             % (s, dp[s][k]))
    return notes


def size_notes(results):
    """The flow-count notes and where a system stopped."""
    notes = []
    for size, res in results["sizes"].items():
        for s in _systems(res):
            if res[s].get("note_flows"):
                notes.append("%s %s: %s" % (size, s, res[s]["note_flows"]))
            if res[s].get("error"):
                notes.append("%s %s stopped (figures after it are not "
                             "measured): %s" % (size, s, res[s]["error"]))
    return notes


def _text(header, rows):
    widths = [max(len(str(r[i])) for r in [header] + rows)
              for i in range(len(header))]
    out = []
    for r in [header] + rows:
        out.append("  ".join(str(c).ljust(widths[i]) if i == 0
                             else str(c).rjust(widths[i])
                             for i, c in enumerate(r)))
        if r is header:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def text_table(results):
    lines = []
    for size in results["sizes"]:
        lines.append("%s: %s" % (size, _dims(results, size)))
    header, rows = table_rows(results)
    lines.append(_text(header, rows))
    h, r = dataplane_rows(results)
    if h:
        lines.append("")
        lines.append(_text(h, r))
        lines += dataplane_notes(results)
    lines += ["note: " + n for n in size_notes(results)]
    v = results["versions"]
    lines.append("versions: " + ", ".join("%s %s" % kv
                                          for kv in sorted(v.items())))
    lines.append("host: %d CPUs, load average %.1f -> %.1f (shared "
                 "machine: compare ratios, not absolute times)"
                 % (results["host"]["cpus"],
                    results["host"]["loadavg_start"],
                    results["host"].get("loadavg_end", 0)))
    return "\n".join(lines)


def _md(header, rows):
    out = ["| " + " | ".join(header) + " |",
           "|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|"]
    for r in rows:
        out.append("| " + " | ".join(str(c) for c in r) + " |")
    return "\n".join(out)


def markdown(results):
    out = ["# bench/run results", "",
           "%s; %s." % (results["date"], ", ".join(
               "%s %s" % kv for kv in sorted(results["versions"].items()))),
           ""]
    for size in results["sizes"]:
        out.append("- %s: %s" % (size, _dims(results, size)))
    out.append("")
    header, rows = table_rows(results)
    out.append(_md(header, rows))
    notes = size_notes(results)
    if notes:
        out += [""] + ["- " + n for n in notes]
    h, r = dataplane_rows(results)
    if h:
        out += ["", _md(h, r), ""]
        out += ["- " + n for n in dataplane_notes(results)]
    out += ["", "## Flows per br-int table", ""]
    for size, res in results["sizes"].items():
        for s in _systems(res):
            t = res[s].get("tables_br_int", {})
            out.append("- %s %s: %s" % (size, s, ", ".join(
                "%s: %d" % (k, t[k]) for k in sorted(t, key=int))))
    out.append("")
    out.append("Host: %d CPUs, load average %.1f at the start, %.1f at the "
               "end; compare ratios within one run, not absolute times."
               % (results["host"]["cpus"], results["host"]["loadavg_start"],
                  results["host"].get("loadavg_end", 0)))
    return "\n".join(out) + "\n"
