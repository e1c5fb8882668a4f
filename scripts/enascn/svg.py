# A scenario run as a picture: an SVG timeline (ena-scenario --svg).
# SPDX-License-Identifier: GPL-2.0-or-later
"""render(sc, target, kernel, res, ok) -> SVG text.

Virtual time runs across, from the driver being up (0 s) to the end of
the story. One lane each for: the injected faults (and unplug), the link
state, the device resets with their reasons and their ends, every other
driver event or log line, ena-diag's status (linux), and the traffic:
its throughput per round where the target reports rounds (linux), else
its outcome at the end. Every mark carries its text as a <title>, which
a browser shows on hover."""

import re
from xml.sax.saxutils import escape

WIDTH = 1000
LEFT = 150              # lane labels
RIGHT = 20
LANE_H = 46
TOP = 54
COLORS = {
    'fault': '#d62728', 'link-up': '#2ca02c', 'link-down': '#7f7f7f',
    'reset': '#ff7f0e', 'recovered': '#1f77b4', 'failed': '#8b0000',
    'event': '#9467bd', 'ok': '#2ca02c', 'bad': '#d62728',
    'diag-ok': '#2ca02c', 'diag-bad': '#d62728', 'axis': '#444444',
}
LANES = ('faults', 'link', 'resets', 'driver', 'diag', 'traffic')
# what ends or starts a reset, in every target's words
RESET_START = re.compile(r'^5205\b|Trigger reset is on|reset-requested')
RESET_OK = re.compile(r'^5210\b|^5203\b|Device reset completed successfully'
                      r'|reset-done')
RESET_BAD = re.compile(r'^5032\b|Reset attempt failed|reset-failed')


def _ticks(t0, t1):
    span = max(t1 - t0, 1e-3)
    for step in (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300):
        if span / step <= 12:
            break
    t = step * int(t0 / step)
    out = []
    while t <= t1 + 1e-9:
        if t >= t0 - 1e-9:
            out.append(round(t, 6))
        t += step
    return out


def classify(res):
    """The run's marks per lane: {lane: [(t, kind, text)]}."""
    lanes = {name: [] for name in LANES}
    # the reasons ena-diag gave the linux resets, in order
    doc = res.diag.get('events', (None, None))[1] or {}
    diag_reasons = [ev.get('reason') for ev in doc.get('events', [])
                    if ev.get('id') == 5205]
    for t, src, text in sorted(res.timeline, key=lambda x: x[0]):
        if src == 'inject':
            m = re.match(r'link (up|down)', text)
            if m:
                lanes['link'].append((t, 'link-' + m.group(1), text))
            else:
                lanes['faults'].append((t, 'fault', text))
        elif src == 'diag':
            bad = not text.startswith('status ok')
            lanes['diag'].append((t, 'diag-bad' if bad else 'diag-ok', text))
        elif RESET_START.search(text):
            if src == 'linux' and diag_reasons:
                text = 'reset %s: %s' % (diag_reasons.pop(0), text)
            lanes['resets'].append((t, 'reset', text))
        elif RESET_BAD.search(text):
            lanes['resets'].append((t, 'failed', text))
        elif RESET_OK.search(text):
            lanes['resets'].append((t, 'recovered', text))
        else:
            lanes['driver'].append((t, 'event', '%s: %s' % (src, text)))
    return lanes


def render(sc, target, kernel, res, ok):
    lanes = classify(res)
    times = [t for marks in lanes.values() for t, _, _ in marks]
    times += [t for t, *_ in res.traffic_series]
    t0 = min([0.0] + times)
    t1 = max([sc.duration] + times) + 0.5
    x1 = WIDTH - RIGHT
    height = TOP + LANE_H * len(LANES) + 40

    def x(t):
        return LEFT + (t - t0) / (t1 - t0) * (x1 - LEFT)

    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'viewBox="0 0 %d %d" font-family="sans-serif" font-size="11">' %
           (WIDTH, height, WIDTH, height),
           '<rect width="100%" height="100%" fill="#ffffff"/>',
           '<text x="10" y="22" font-size="15" font-weight="bold">%s</text>' %
           escape('%s [%s%s]: %s' % (sc.name, target, ' ' + kernel if kernel
                                      else '', 'PASS' if ok else 'FAIL')),
           '<text x="10" y="40" fill="#555">virtual time (s) from the driver '
           'being up; hover a mark for its text</text>']
    for i, name in enumerate(LANES):
        y = TOP + i * LANE_H
        out.append('<rect x="%d" y="%d" width="%d" height="%d" fill="%s"/>' %
                   (LEFT, y, x1 - LEFT, LANE_H - 4,
                    '#f4f4f4' if i % 2 else '#fafafa'))
        out.append('<text x="10" y="%d" class="lane">%s</text>' %
                   (y + LANE_H / 2 + 3, name))
    # the axis
    ya = TOP + LANE_H * len(LANES)
    out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s"/>' %
               (LEFT, ya, x1, ya, COLORS['axis']))
    for t in _ticks(t0, t1):
        out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s"/>'
                   '<text x="%.1f" y="%d" text-anchor="middle">%g</text>' %
                   (x(t), ya, x(t), ya + 5, COLORS['axis'], x(t), ya + 17, t))

    def lane_y(name):
        return TOP + LANES.index(name) * LANE_H

    def mark(name, t, kind, text, label=None):
        y = lane_y(name)
        out.append('<g class="mark %s"><title>%s</title>'
                   '<rect x="%.1f" y="%d" width="4" height="%d" fill="%s"/>' %
                   (kind, escape('%.3fs %s' % (t, text)), x(t) - 2, y + 4,
                    LANE_H - 12, COLORS[kind]))
        if label:
            out.append('<text x="%.1f" y="%d" fill="%s">%s</text>' %
                       (x(t) + 4, y + 15, COLORS[kind], escape(label[:40])))
        out.append('</g>')

    for t, kind, text in lanes['faults']:
        mark('faults', t, kind, text, text)
    # link: a band, up until a 'down', and so on
    state, since = 'link-up', t0
    for t, kind, text in lanes['link'] + [(t1, None, '')]:
        y = lane_y('link')
        out.append('<rect x="%.1f" y="%d" width="%.1f" height="%d" '
                   'fill="%s" opacity="0.5"><title>%s</title></rect>' %
                   (x(since), y + 14, max(x(t) - x(since), 1), 12,
                    COLORS[state], state))
        if kind:
            state, since = kind, t
    for t, kind, text in lanes['resets']:
        label = None
        if kind == 'reset':
            m = re.search(r'\b([A-Z][A-Z_]{3,})\b', text)
            label = m.group(1) if m else 'reset'
        mark('resets', t, kind, text, label)
    for t, kind, text in lanes['driver']:
        mark('driver', t, kind, text)
    for i, (t, kind, text) in enumerate(lanes['diag']):
        nxt = lanes['diag'][i + 1][0] if i + 1 < len(lanes['diag']) else t1
        y = lane_y('diag')
        out.append('<g class="mark %s"><title>%s</title><rect x="%.1f" '
                   'y="%d" width="%.1f" height="%d" fill="%s"/></g>' %
                   (kind, escape('%.3fs ena-diag %s' % (t, text)), x(t),
                    y + 10, max(x(nxt) - x(t), 2), 20, COLORS[kind]))
    # traffic: bytes per second between rounds, bar height to scale
    series = sorted(res.traffic_series)
    y = lane_y('traffic')
    if series:
        rates = []
        for i, (t, good, nbytes) in enumerate(series):
            prev = series[i - 1] if i else None
            rate = 0.0
            if prev and nbytes is not None and prev[2] is not None and \
                    t > prev[0]:
                rate = max(0, nbytes - prev[2]) / (t - prev[0])
            rates.append(rate)
        top = max(rates + [1.0])
        for i, (t, good, _) in enumerate(series):
            tp = series[i - 1][0] if i else max(t0, t - 1)
            h = max(3, (LANE_H - 12) * rates[i] / top)
            out.append('<g class="mark %s"><title>%s</title><rect x="%.1f" '
                       'y="%.1f" width="%.1f" height="%.1f" fill="%s"/></g>' %
                       ('ok' if good else 'bad',
                        escape('%.3fs traffic %s, %.0f B/s' %
                               (t, 'ok' if good else 'failed', rates[i])),
                        x(tp), y + LANE_H - 8 - h, max(x(t) - x(tp) - 1, 2),
                        h, COLORS['ok' if good else 'bad']))
        out.append('<text x="%d" y="%d" fill="#555">peak %.0f B/s</text>' %
                   (x1 - 110, y + 12, top))
    else:
        out.append('<text x="%d" y="%d" fill="%s">%s</text>' %
                   (LEFT + 6, y + LANE_H / 2 + 3,
                    COLORS['ok' if res.traffic == 'ok' else 'bad'],
                    escape('traffic %s at the end (no per-round data on '
                           'this target)' % (res.traffic or 'unknown'))))
    out.append('</svg>')
    return '\n'.join(out) + '\n'
