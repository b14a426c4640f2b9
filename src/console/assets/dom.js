// Tiny DOM helpers: elements from data with textContent only (never HTML from data), and the
// formats the panels share.
const SVG_NS = 'http://www.w3.org/2000/svg';
const SVG_TAGS = new Set(['svg', 'g', 'path', 'rect', 'text', 'line', 'polyline', 'circle', 'title', 'defs', 'marker', 'tspan']);

/** h('button', { class: 'x', onclick: fn }, 'text', child) */
export function h(tag, attrs, ...children) {
  const svg = SVG_TAGS.has(tag);
  const el = svg ? document.createElementNS(SVG_NS, tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = String(v);
    else if (!svg && (k === 'value' || k === 'checked' || k === 'disabled' || k === 'hidden' || k === 'selected')) el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
}

/** Replaces the children of `el`. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export function ago(at, now = Date.now()) {
  if (at === undefined || at === null) return '–';
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s ago`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m ago`;
}

export function inTime(at, now = Date.now()) {
  if (at === undefined || at === null) return '–';
  return `in ${Math.max(0, Math.round((at - now) / 1000))}s`;
}

export function duration(ms) {
  if (ms === undefined || ms === null) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)}m ${Math.round((ms % 60_000) / 1000)}s`;
}

export function clock(at) {
  if (!at) return '–';
  return new Date(at).toLocaleTimeString([], { hour12: false });
}

export function count(n) {
  return n === undefined || n === null ? '–' : Number(n).toLocaleString('en-US');
}

export function rate(n) {
  return `${n < 10 ? Number(n).toFixed(1) : Math.round(n)}/s`;
}

export function json(value) {
  return value === undefined ? '–' : JSON.stringify(value, null, 2);
}

/** A state pill: running, connecting, error, disabled, idle, ... */
export function pill(state) {
  return h('span', { class: `pill state-${String(state).replace(/[^a-z-]/g, '')}` }, state);
}
