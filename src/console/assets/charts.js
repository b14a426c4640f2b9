// Charts: throughput and lag of each binding over the last minutes, drawn as SVG lines from the
// samples the server pushes (and the ones it kept from before the page opened).
import { duration, fill, h, rate } from './dom.js';

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2'];
const W = 1200;
const H = 230;
const PAD = { left: 56, right: 12, top: 12, bottom: 28 };

function niceMax(v) {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function chart(title, samples, names, pick, format, floor, windowMs, now) {
  const from = now - windowMs;
  const shown = samples.filter((s) => s.at >= from);
  const max = niceMax(Math.max(floor, ...shown.flatMap((s) => names.map((n) => pick(s.bindings[n]) ?? 0))));
  const x = (at) => PAD.left + ((at - from) / windowMs) * (W - PAD.left - PAD.right);
  const y = (v) => H - PAD.bottom - (v / max) * (H - PAD.top - PAD.bottom);
  const svg = h('svg', { class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title });
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    svg.append(h('line', { class: 'grid-line', x1: PAD.left, x2: W - PAD.right, y1: y(v), y2: y(v) }));
    svg.append(h('text', { class: 'tick', x: PAD.left - 6, y: y(v) + 4, 'text-anchor': 'end' }, format(v)));
  }
  const minutes = Math.round(windowMs / 60_000);
  for (let m = 0; m <= minutes; m += minutes > 5 ? 2 : 1) {
    const at = now - m * 60_000;
    svg.append(h('text', { class: 'tick', x: x(at), y: H - 8, 'text-anchor': 'middle' }, m === 0 ? 'now' : `-${m}m`));
  }
  names.forEach((name, i) => {
    const points = shown.filter((s) => s.bindings[name]).map((s) => `${x(s.at).toFixed(1)},${y(pick(s.bindings[name])).toFixed(1)}`);
    if (points.length) svg.append(h('polyline', { class: 'series', points: points.join(' '), stroke: COLORS[i % COLORS.length] }));
  });
  const last = shown.at(-1);
  const summary = names.map((n) => `${n}: ${last?.bindings[n] ? format(pick(last.bindings[n])) : '–'}`).join(', ');
  return h('figure', { class: 'chart-box' }, [h('figcaption', null, title), svg, h('p', { class: 'visually-hidden' }, `Now: ${summary}`)]);
}

export function chartsPanel(el, ctx) {
  let samples = [];
  let windowMs = 5 * 60_000;
  const body = h('div');
  const choose = h(
    'div',
    { class: 'row', role: 'group', 'aria-label': 'Time window' },
    [1, 5, 10].map((m) =>
      h('button', {
        type: 'button',
        'aria-pressed': String(m === 5),
        'data-minutes': String(m),
        text: `${m} min`,
        onclick: (e) => {
          windowMs = m * 60_000;
          for (const b of choose.querySelectorAll('button')) b.setAttribute('aria-pressed', String(b === e.currentTarget));
          draw();
        },
      }),
    ),
  );
  const draw = () => {
    const names = [...new Set(samples.flatMap((s) => Object.keys(s.bindings)))];
    if (!names.length) {
      fill(body, h('p', { class: 'empty' }, 'No binding to chart yet.'));
      return;
    }
    const now = samples.at(-1)?.at ?? Date.now();
    fill(body, [
      h(
        'ul',
        { class: 'legend' },
        names.map((n, i) => h('li', null, h('span', { class: 'swatch', 'data-color': String(i % COLORS.length) }), n)),
      ),
      chart('Throughput (acked records per second)', samples, names, (b) => b.recordsPerSecond, rate, 1, windowMs, now),
      chart('Lag (age of the oldest unacked record)', samples, names, (b) => b.oldestUnackedAgeMs, duration, 1000, windowMs, now),
      chart(
        'Backlog (records not yet acked)',
        samples,
        names,
        (b) => b.backlog,
        (v) => (Number.isInteger(v) ? String(v) : v.toFixed(1)),
        4,
        windowMs,
        now,
      ),
    ]);
  };
  fill(el, h('div', { class: 'panel-head' }, h('h2', null, 'Charts'), choose), body);
  return {
    async load() {
      const before = await ctx.api('GET', '/api/history');
      samples = [...before, ...samples.filter((s) => s.at > (before.at(-1)?.at ?? 0))];
    },
    sample(s) {
      samples.push(s);
      const cut = s.at - 10 * 60_000;
      while (samples.length && samples[0].at < cut) samples.shift();
    },
    update: draw,
    shown: draw,
  };
}
