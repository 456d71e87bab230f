"""plot: the cost-vs-size curve of bench/run as one SVG file.

svg(results) takes bench/run's results (every size measured, each with
its systems' figures) and returns an SVG document with one chart per
figure (converge time, flows on all bridges, the node controller's peak
RSS, the p99 of a port+FIP change), each with the cloud's port count on
the x axis and a line per system, both axes logarithmic so that
proportional growth is a straight line.  Pure: no I/O, no dependency
beyond Python's standard library.  Run as a program, it plots the sizes
of several results.json files together (main()).
"""
import math
import sys
from xml.sax.saxutils import escape

COLORS = {"dvrflow": "#1f77b4", "ovn": "#d62728", "ovn-26.03": "#ff7f0e"}


def _controller_rss_mib(r):
    rss = r.get("rss_peak_kib", {})
    for k in ("dvr-controller", "ovn-controller"):
        if rss.get(k) is not None:
            return rss[k] / 1024.0
    return None


FIGURES = [
    ("converge (s)", lambda r: r.get("converge_s")),
    ("flows, all bridges", lambda r: r.get("flows_total")),
    ("node controller peak RSS (MiB)", _controller_rss_mib),
    ("port+FIP change p99 (ms)", lambda r: r.get("incr_p99_ms")),
]

W, H = 440, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 30, 46


def _ticks(lo, hi):
    """1, 2, 5 times powers of ten between lo and hi (at least two)."""
    out = []
    e = math.floor(math.log10(lo))
    while 10 ** e <= hi * 1.0001:
        for m in (1, 2, 5):
            v = m * 10 ** e
            if lo * 0.9999 <= v <= hi * 1.0001:
                out.append(v)
        e += 1
    if len(out) > 8:
        out = [v for v in out if str(v).lstrip("0.").startswith("1")]
    return out or [lo, hi]


def _label(v):
    if v >= 1000 and v == int(v):
        return "{:,}".format(int(v))
    if v >= 1:
        return "%g" % v
    return "%g" % float("%.2g" % v)


def _series(results, fn):
    """{system: [(ports, value)]} over the sizes, in port order."""
    out = {}
    for size, res in results["sizes"].items():
        d = res["dims"]
        ports = d["T"] * d["P"]
        for s, r in res.items():
            if s == "dims" or not isinstance(r, dict):
                continue
            v = fn(r)
            if v is not None and v > 0:
                out.setdefault(s, []).append((ports, v))
    for s in out:
        out[s].sort()
    return out


def _chart(x0, y0, title, series):
    parts = ['<g transform="translate(%d,%d)">' % (x0, y0),
             '<text x="%d" y="18" font-size="14" font-weight="bold">%s'
             '</text>' % (LEFT, escape(title))]
    pts = [p for line in series.values() for p in line]
    if not pts:
        parts.append('<text x="%d" y="%d">not measured</text>'
                     % (LEFT, H // 2))
        parts.append("</g>")
        return parts
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    xlo, xhi = min(xs), max(xs)
    ylo, yhi = min(ys), max(ys)
    if xlo == xhi:
        xlo, xhi = xlo / 2.0, xhi * 2.0
    ylo, yhi = ylo / 1.5, yhi * 1.5
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM

    def px(x):
        return LEFT + pw * (math.log(x / xlo) / math.log(xhi / xlo))

    def py(y):
        return TOP + ph - ph * (math.log(y / ylo) / math.log(yhi / ylo))

    parts.append('<rect x="%d" y="%d" width="%d" height="%d" fill="none" '
                 'stroke="#888"/>' % (LEFT, TOP, pw, ph))
    for v in _ticks(ylo, yhi):
        y = py(v)
        parts.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" '
                     'stroke="#ddd"/>' % (LEFT, LEFT + pw, y, y))
        parts.append('<text x="%d" y="%.1f" font-size="11" '
                     'text-anchor="end">%s</text>'
                     % (LEFT - 4, y + 4, _label(v)))
    for v in sorted(set(xs)):
        x = px(v)
        parts.append('<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" '
                     'stroke="#ddd"/>' % (x, x, TOP, TOP + ph))
        parts.append('<text x="%.1f" y="%d" font-size="11" '
                     'text-anchor="middle">%s</text>'
                     % (x, TOP + ph + 14, _label(v)))
    parts.append('<text x="%d" y="%d" font-size="11" text-anchor="middle">'
                 'ports in the cloud (log)</text>'
                 % (LEFT + pw // 2, TOP + ph + 32))
    for s, line in sorted(series.items()):
        color = COLORS.get(s, "#2ca02c")
        path = " ".join("%.1f,%.1f" % (px(x), py(y)) for x, y in line)
        parts.append('<polyline fill="none" stroke="%s" stroke-width="2" '
                     'points="%s"/>' % (color, path))
        for x, y in line:
            parts.append('<circle cx="%.1f" cy="%.1f" r="3" fill="%s">'
                         '<title>%s: %s at %d ports</title></circle>'
                         % (px(x), py(y), color, escape(s), _label(y), x))
    return parts + ["</g>"]


def svg(results):
    systems = []
    for res in results["sizes"].values():
        systems += [s for s in res if s != "dims" and s not in systems]
    cols = 2
    rows = (len(FIGURES) + cols - 1) // cols
    legend_h = 28
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'font-family="sans-serif">' % (W * cols, H * rows + legend_h),
           '<rect width="100%" height="100%" fill="white"/>']
    x = 10
    for s in systems:
        color = COLORS.get(s, "#2ca02c")
        out.append('<rect x="%d" y="8" width="14" height="14" fill="%s"/>'
                   % (x, color))
        out.append('<text x="%d" y="20" font-size="13">%s</text>'
                   % (x + 20, escape(s)))
        x += 30 + 9 * len(s)
    out.append('<text x="%d" y="20" font-size="11" fill="#555">%s</text>'
               % (x + 10, escape(results.get("date", ""))))
    for i, (title, fn) in enumerate(FIGURES):
        out += _chart((i % cols) * W, legend_h + (i // cols) * H, title,
                      _series(results, fn))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main(argv):
    """python3 bench/lib/plot.py RESULTS.json... > curve.svg: one plot of
    the sizes and systems of several runs' results.json (a system measured
    at a size twice is taken from the last file that has it)."""
    import json
    merged = {"sizes": {}}
    for path in argv[1:]:
        with open(path) as f:
            r = json.load(f)
        merged["date"] = r.get("date", "")
        for size, res in r["sizes"].items():
            merged["sizes"].setdefault(size, {}).update(res)
    merged["sizes"] = dict(sorted(
        merged["sizes"].items(),
        key=lambda kv: kv[1]["dims"]["T"] * kv[1]["dims"]["P"]))
    sys.stdout.write(svg(merged))


if __name__ == "__main__":
    main(sys.argv)
