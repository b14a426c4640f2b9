// The pipeline view: sources → topics → bindings → sink functions (dead-letter topics beside
// them) as a graph with live figures, then the bindings' counters and what is wrong, as tables.
import { ago, clock, count, duration, fill, h, pill, rate } from './dom.js';

const COLUMNS = [
  ['source', 'Sources'],
  ['topic', 'Topics'],
  ['binding', 'Bindings (relay)'],
  ['function', 'Sink functions'],
  ['dead-letter-topic', 'Dead letters'],
  ['disabled', 'Not running here'],
];
const NODE_W = 220;
const COL_GAP = 56;
const LINE = 16;
const TAB_FOR = { source: 'sources', topic: 'topics', binding: 'charts', function: 'pipeline', 'dead-letter-topic': 'dead-letters' };

function nodeHeight(n) {
  return 56 + LINE * (n.figures.length + (n.note ? 1 : 0));
}

function layout(graph) {
  // A function that does not run and has no edge sits apart, with why.
  const column = (n) => (n.state === 'disabled' && !graph.edges.some((e) => e.from === n.id || e.to === n.id) ? 'disabled' : n.kind);
  const used = COLUMNS.filter(([kind]) => graph.nodes.some((n) => column(n) === kind));
  const pos = new Map();
  let height = 0;
  used.forEach(([kind], col) => {
    let y = 34;
    for (const n of graph.nodes.filter((x) => column(x) === kind)) {
      const hgt = nodeHeight(n);
      pos.set(n.id, { x: 12 + col * (NODE_W + COL_GAP), y, w: NODE_W, h: hgt });
      y += hgt + 22;
    }
    height = Math.max(height, y);
  });
  return { used, pos, width: 12 + used.length * (NODE_W + COL_GAP) - COL_GAP + 12, height };
}

function shorten(text, n) {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}

function renderGraph(s, ctx) {
  const { graph } = s;
  const { used, pos, width, height } = layout(graph);
  const flowing = new Set(s.bindings.filter((b) => b.recordsPerSecond > 0 || b.inFlight > 0).map((b) => `binding:${b.name}`));
  const svg = h('svg', {
    class: 'graph',
    viewBox: `0 0 ${width} ${Math.max(height, 120)}`,
    role: 'group',
    'aria-label': 'Pipeline graph: sources, topics, bindings and sink functions',
  });
  svg.append(
    h(
      'defs',
      null,
      h('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: '9', refY: '5', markerWidth: '7', markerHeight: '7', orient: 'auto-start-reverse' }, [
        h('path', { d: 'M0 0L10 5L0 10z', class: 'arrow' }),
      ]),
    ),
  );
  used.forEach(([, title], col) => svg.append(h('text', { class: 'col-title', x: 12 + col * (NODE_W + COL_GAP), y: 18 }, title)));
  for (const e of graph.edges) {
    const a = pos.get(e.from);
    const b = pos.get(e.to);
    if (!a || !b) continue;
    const x1 = a.x + a.w;
    const y1 = a.y + Math.min(a.h / 2, 30);
    const x2 = b.x;
    const y2 = b.y + Math.min(b.h / 2, 30);
    const mid = (x1 + x2) / 2;
    const live = flowing.has(e.from) || flowing.has(e.to);
    svg.append(
      h('path', {
        class: `edge edge-${e.kind}${live && e.kind === 'data' ? ' flowing' : ''}`,
        d: `M${x1} ${y1} C${mid} ${y1} ${mid} ${y2} ${x2 - 2} ${y2}`,
        'marker-end': 'url(#arrow)',
      }),
    );
  }
  for (const n of graph.nodes) {
    const p = pos.get(n.id);
    const label = `${n.kind.replace(/-/g, ' ')} ${n.label}, ${n.state}. ${n.figures.join(', ')}${n.note ? `. ${n.note}` : ''}`;
    const open = () => ctx.show(TAB_FOR[n.kind]);
    const g = h('g', {
      class: `node kind-${n.kind} state-${n.state}`,
      transform: `translate(${p.x} ${p.y})`,
      tabindex: '0',
      role: 'button',
      'aria-label': label,
      'data-id': n.id,
      onclick: open,
      onkeydown: (e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          open();
        }
      },
    });
    g.append(h('title', null, label));
    g.append(h('rect', { width: p.w, height: p.h, rx: '8' }));
    g.append(h('rect', { class: 'bar', width: '6', height: p.h, rx: '3' }));
    g.append(h('text', { class: 'label', x: 14, y: 21 }, shorten(n.label, 27)));
    g.append(h('text', { class: 'state', x: 14, y: 38 }, `● ${n.state}`));
    n.figures.forEach((f, i) => g.append(h('text', { class: 'figure', x: 14, y: 56 + i * LINE }, shorten(f, 32))));
    if (n.note) g.append(h('text', { class: 'note', x: 14, y: 56 + n.figures.length * LINE }, shorten(n.note, 32)));
    svg.append(g);
  }
  return svg;
}

function bindingsTable(s) {
  if (!s.bindings.length) return h('p', { class: 'empty' }, 'No binding runs.');
  const now = s.at;
  return h('table', { class: 'grid' }, [
    h('caption', null, 'Bindings'),
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        ['binding', 'state', 'records/s', 'lag (oldest unacked)', 'backlog', 'in flight', 'retries', 'dead-lettered', 'received', 'acked', 'last error'].map(
          (c) => h('th', { scope: 'col' }, c),
        ),
      ),
    ),
    h(
      'tbody',
      null,
      s.bindings.map((b) =>
        h('tr', { 'data-binding': b.name }, [
          h('th', { scope: 'row' }, b.name, h('div', { class: 'sub' }, `${b.topic} → ${b.function.name}`)),
          h('td', null, pill(b.state)),
          h('td', { class: 'num', 'data-field': 'rate' }, rate(b.recordsPerSecond)),
          h('td', { class: 'num' }, duration(b.oldestUnackedAgeMs)),
          h('td', { class: 'num' }, count(b.backlog)),
          h('td', { class: 'num' }, count(b.inFlight)),
          h('td', { class: 'num' }, count(b.retries)),
          h('td', { class: 'num', 'data-field': 'dead-lettered' }, count(b.deadLettered)),
          h('td', { class: 'num', 'data-field': 'received' }, count(b.received)),
          h('td', { class: 'num', 'data-field': 'acked' }, count(b.acked)),
          h('td', { class: 'error' }, b.lastError ? [b.lastError, h('div', { class: 'sub' }, `${clock(b.lastErrorAt)} (${ago(b.lastErrorAt, now)})`)] : '–'),
        ]),
      ),
    ),
  ]);
}

function problems(s) {
  const items = [
    ...s.problems.map((p) => h('li', { class: 'error' }, p)),
    ...s.sources
      .filter((x) => x.lastError)
      .map((x) => h('li', null, h('strong', null, `source ${x.function}`), `: ${x.lastError}`, x.lastErrorAt ? ` (${clock(x.lastErrorAt)})` : '')),
    ...s.disabled.map((d) => h('li', { class: 'disabled' }, h('strong', null, `${d.kind} ${d.name} is disabled`), `: ${d.reason}`)),
  ];
  return items.length ? h('section', { class: 'problems' }, h('h2', null, 'Needs attention'), h('ul', null, items)) : null;
}

export function pipelinePanel(el, ctx) {
  return {
    update(s) {
      // Keep keyboard focus on the same node across the redraw.
      const focused = document.activeElement?.closest?.('[data-id]')?.dataset.id;
      fill(el, h('h2', { class: 'visually-hidden' }, 'Pipeline'), h('div', { class: 'graph-wrap' }, renderGraph(s, ctx)), problems(s), bindingsTable(s));
      if (focused) el.querySelector(`[data-id="${CSS.escape(focused)}"]`)?.focus();
    },
  };
}
