// The console page: one event stream from the server feeds every panel; actions are sent with
// the token given at start (from the URL fragment, which never reaches the server, or typed in).
import { chartsPanel } from './charts.js';
import { deadLettersPanel } from './dead-letters.js';
import { duration, fill, h } from './dom.js';
import { pipelinePanel } from './pipeline.js';
import { sourcesPanel } from './sources.js';
import { topicsPanel } from './topics.js';

const TOKEN_KEY = 'danube-console-token';
const $ = (id) => document.getElementById(id);

const ctx = {
  snapshot: undefined,
  session: { readOnly: true, actions: {}, tokenAccepted: false },
  token: sessionStorage.getItem(TOKEN_KEY) ?? '',
  /** Calls the API; actions carry the token. Throws with the server's message. */
  async api(method, path, body) {
    const headers = { accept: 'application/json' };
    if (this.token) headers['x-console-token'] = this.token;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(data?.error ?? `${res.status} ${res.statusText}`);
    return data;
  },
  /** Whether an action may be offered: allowed here and unlocked with the token. */
  can(action) {
    return !this.session.readOnly && Boolean(this.session.actions[action]) && this.session.tokenAccepted;
  },
  /** Why an action is not offered, for its disabled button's title. */
  whyNot(action) {
    if (this.session.readOnly) return 'read-only console';
    if (!this.session.actions[action]) return 'not available here';
    if (!this.session.tokenAccepted) return 'enter the token first (top right)';
    return '';
  },
  toast(message, kind = 'info') {
    const el = $('toast');
    el.textContent = message;
    el.className = `toast toast-${kind}`;
    el.hidden = false;
    clearTimeout(this.toastTimer);
    this.toastTimer = setTimeout(() => (el.hidden = true), kind === 'error' ? 9000 : 4000);
  },
  show(tab) {
    selectTab(tab, true);
  },
  listeners: { job: [] },
};

const panels = {
  pipeline: pipelinePanel($('panel-pipeline'), ctx),
  sources: sourcesPanel($('panel-sources'), ctx),
  topics: topicsPanel($('panel-topics'), ctx),
  'dead-letters': deadLettersPanel($('panel-dead-letters'), ctx),
  charts: chartsPanel($('panel-charts'), ctx),
};
let current = 'pipeline';

function selectTab(name, focus) {
  if (!panels[name]) name = 'pipeline';
  current = name;
  for (const tab of document.querySelectorAll('[role=tab]')) {
    const on = tab.dataset.tab === name;
    tab.setAttribute('aria-selected', String(on));
    tab.tabIndex = on ? 0 : -1;
    $(tab.getAttribute('aria-controls')).hidden = !on;
    if (on && focus) tab.focus();
  }
  history.replaceState(null, '', `#${name}`);
  panels[name].shown?.();
  if (ctx.snapshot) panels[name].update?.(ctx.snapshot);
}

// Tabs: click, or arrow keys / Home / End between them (the WAI-ARIA tabs pattern).
const tabs = [...document.querySelectorAll('[role=tab]')];
for (const tab of tabs) {
  tab.addEventListener('click', () => selectTab(tab.dataset.tab, false));
  tab.addEventListener('keydown', (e) => {
    const i = tabs.indexOf(tab);
    const to = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    selectTab(tabs[(to + tabs.length) % tabs.length].dataset.tab, true);
  });
}

function renderHeader(s) {
  const parts = [s.mode === 'dev' ? 'local pipeline (npm start)' : 'attached'];
  if (s.broker) parts.push(`broker ${s.broker}`);
  if (s.relay) parts.push(`relay ${s.relay}`);
  if (s.uptimeMs !== undefined) parts.push(`up ${duration(s.uptimeMs)}`);
  $('where').textContent = parts.join(' · ');
  const dead = s.deadLetterTopics.reduce((n, t) => n + (t.count ?? 0), 0);
  $('dlq-badge').hidden = dead === 0;
  $('dlq-badge').textContent = String(dead);
  $('dlq-badge').setAttribute('aria-label', `${dead} dead letters`);
}

function renderAccess() {
  const { readOnly, actions, tokenAccepted } = ctx.session;
  const offered = Object.values(actions).some(Boolean);
  $('unlock').hidden = readOnly || !offered || tokenAccepted;
  fill(
    $('access'),
    readOnly
      ? h('span', { class: 'pill state-disabled' }, 'read-only')
      : !offered
        ? ''
        : tokenAccepted
          ? h('span', { class: 'pill state-running', title: 'actions are sent with the token' }, 'actions unlocked')
          : '',
  );
}

async function loadSession() {
  ctx.session = await ctx.api('GET', '/api/session');
  renderAccess();
  if (ctx.snapshot) panels[current].update?.(ctx.snapshot);
}

$('unlock').addEventListener('submit', async (e) => {
  e.preventDefault();
  ctx.token = $('token-input').value.trim();
  sessionStorage.setItem(TOKEN_KEY, ctx.token);
  await loadSession();
  ctx.toast(ctx.session.tokenAccepted ? 'Actions unlocked' : 'That token is not the one this console printed', ctx.session.tokenAccepted ? 'info' : 'error');
});

function connect() {
  const events = new EventSource('/api/events');
  events.addEventListener('open', () => ($('live').textContent = 'live'));
  events.addEventListener('error', () => ($('live').textContent = 'reconnecting…'));
  events.addEventListener('snapshot', (e) => {
    const { snapshot, sample } = JSON.parse(e.data);
    ctx.snapshot = snapshot;
    $('live').textContent = snapshot.problems.length ? `live · ${snapshot.problems[0]}` : 'live';
    document.body.dataset.updated = String(snapshot.at);
    renderHeader(snapshot);
    if (sample) panels.charts.sample(sample);
    panels[current].update?.(snapshot);
  });
  events.addEventListener('job', (e) => {
    const job = JSON.parse(e.data);
    for (const fn of ctx.listeners.job) fn(job);
  });
}

// The token may come in the fragment (`#token=...`, as printed): keep it for this tab only, and
// take it out of the address bar.
const hash = new URLSearchParams(location.hash.slice(1));
if (hash.get('token')) {
  ctx.token = hash.get('token');
  sessionStorage.setItem(TOKEN_KEY, ctx.token);
}
const first = [...hash.keys()].find((k) => panels[k]) ?? location.hash.slice(1);
selectTab(panels[first] ? first : 'pipeline', false);
loadSession().catch((err) => ctx.toast(err.message, 'error'));
panels.charts.load().catch(() => undefined);
connect();
