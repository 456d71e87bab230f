#!/usr/bin/python3
"""tests/lib/promcheck.py: checks a Prometheus text exposition (0.0.4).

Usage: promcheck.py FILE
    Parses FILE strictly and prints each sample as
    'NAME{LABEL="VALUE",...} VALUE' (labels in the order given, values
    unescaped to the canonical escaping), one per line.  Exits 1 naming
    the line at the first problem:
      - a line that is not '# HELP', '# TYPE', another comment, blank or
        a sample (metric name, optional {labels}, a float, an optional
        integer timestamp);
      - a bad metric or label name, a bad escape in a label value, a label
        twice in one sample;
      - '# TYPE' after the family's samples, twice, or of an unknown type;
        a sample of a family without '# TYPE' or whose family's lines are
        not together;
      - the same series twice;
      - a histogram series whose buckets are not cumulative, that lacks
        le="+Inf", _sum or _count, or whose +Inf bucket differs from
        _count; a counter below zero.
"""

import math
import re
import sys

NAME = r'[a-zA-Z_:][a-zA-Z0-9_:]*'
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*'
TYPES = ('counter', 'gauge', 'histogram', 'summary', 'untyped')


class Bad(Exception):
    pass


def parse_value(s):
    if s in ('+Inf', 'Inf'):
        return math.inf
    if s == '-Inf':
        return -math.inf
    if s == 'NaN':
        return math.nan
    if not re.fullmatch(r'[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?', s):
        raise Bad('bad value %r' % s)
    return float(s)


def parse_labels(s, i):
    """Parses '{...}' at s[i]; returns (list of (name, value), next i)."""
    assert s[i] == '{'
    i += 1
    labels = []
    while True:
        if s[i:i + 1] == '}':
            return labels, i + 1
        m = re.compile(LABEL).match(s, i)
        if not m:
            raise Bad('bad label name at column %d' % (i + 1))
        name = m.group(0)
        i = m.end()
        if s[i:i + 2] != '="':
            raise Bad('expected =" after label %s' % name)
        i += 2
        value = []
        while True:
            if i >= len(s):
                raise Bad('unterminated label value')
            c = s[i]
            if c == '\\':
                e = s[i + 1:i + 2]
                if e not in ('\\', '"', 'n'):
                    raise Bad('bad escape \\%s' % e)
                value.append('\n' if e == 'n' else e)
                i += 2
            elif c == '"':
                i += 1
                break
            elif c == '\n':
                raise Bad('newline in label value')
            else:
                value.append(c)
                i += 1
        if any(n == name for n, _ in labels):
            raise Bad('label %s twice' % name)
        labels.append((name, ''.join(value)))
        if s[i:i + 1] == ',':
            i += 1
        elif s[i:i + 1] != '}':
            raise Bad('expected , or } after label %s' % name)


def escape(v):
    return v.replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n')


def family_of(name, types):
    for suffix in ('_bucket', '_sum', '_count'):
        base = name[:-len(suffix)] if name.endswith(suffix) else None
        if base and types.get(base) == 'histogram':
            return base
    return name


def check(text):
    types = {}
    done = set()            # Families whose lines are over.
    current = None
    sampled = set()         # Families with samples so far.
    seen = set()
    hist = {}               # (family, labels without le) -> parts.
    out = []
    for n, line in enumerate(text.split('\n'), 1):
        try:
            if not line.strip():
                continue
            if line.startswith('#'):
                m = re.fullmatch(r'# (HELP|TYPE) (%s)(?: (.*))?' % NAME, line)
                if not m:
                    if re.match(r'# (HELP|TYPE)', line):
                        raise Bad('bad %s line' % line.split()[1])
                    continue
                kind, name, rest = m.groups()
                if kind == 'TYPE':
                    if rest not in TYPES:
                        raise Bad('unknown type %r' % rest)
                    if name in types:
                        raise Bad('second TYPE for %s' % name)
                    if name in sampled:
                        raise Bad('TYPE of %s after its samples' % name)
                    types[name] = rest
                if current != name:
                    if current:
                        done.add(current)
                    if name in done:
                        raise Bad('lines of %s not together' % name)
                    current = name
                continue
            m = re.compile(NAME).match(line)
            if not m:
                raise Bad('bad metric name')
            name = m.group(0)
            i = m.end()
            labels = []
            if line[i:i + 1] == '{':
                labels, i = parse_labels(line, i)
            rest = line[i:].split(' ')
            if rest[0] != '' or len(rest) not in (2, 3):
                raise Bad('expected " VALUE [TIMESTAMP]"')
            value = parse_value(rest[1])
            if len(rest) == 3 and not re.fullmatch(r'-?\d+', rest[2]):
                raise Bad('bad timestamp')
            fam = family_of(name, types)
            if fam not in types:
                raise Bad('sample of %s without TYPE' % fam)
            if fam != current:
                raise Bad('sample of %s among the lines of %s'
                          % (fam, current))
            sampled.add(fam)
            key = (name, tuple(sorted(labels)))
            if key in seen:
                raise Bad('series twice')
            seen.add(key)
            if types[fam] == 'counter' and value < 0:
                raise Bad('counter below zero')
            if types[fam] == 'histogram':
                if name == fam:
                    raise Bad('histogram sample without a suffix')
                base = tuple(sorted(lb for lb in labels if lb[0] != 'le'))
                h = hist.setdefault((fam, base), {'buckets': []})
                if name.endswith('_bucket'):
                    le = [v for k, v in labels if k == 'le']
                    if not le:
                        raise Bad('bucket without le')
                    h['buckets'].append((parse_value(le[0]), value, n))
                else:
                    h[name[len(fam) + 1:]] = value
            out.append('%s%s %s' % (
                name,
                '{%s}' % ','.join('%s="%s"' % (k, escape(v))
                                  for k, v in labels) if labels else '',
                rest[1]))
        except Bad as e:
            raise Bad('line %d: %s: %s' % (n, e, line))
    for (fam, base), h in hist.items():
        what = '%s%s' % (fam, dict(base))
        b = sorted(h['buckets'])
        if not b or b[-1][0] != math.inf:
            raise Bad('%s: no le="+Inf" bucket' % what)
        if 'sum' not in h or 'count' not in h:
            raise Bad('%s: no _sum or _count' % what)
        for (_, v1, _), (_, v2, line) in zip(b, b[1:]):
            if v2 < v1:
                raise Bad('%s: buckets not cumulative (line %d)'
                          % (what, line))
        if b[-1][1] != h['count']:
            raise Bad('%s: +Inf bucket %s != _count %s'
                      % (what, b[-1][1], h['count']))
    return out


def main():
    if len(sys.argv) != 2:
        sys.exit('usage: promcheck.py FILE')
    with open(sys.argv[1], encoding='utf-8') as f:
        text = f.read()
    try:
        for line in check(text):
            print(line)
    except Bad as e:
        sys.exit('promcheck: %s: %s' % (sys.argv[1], e))


if __name__ == '__main__':
    main()
