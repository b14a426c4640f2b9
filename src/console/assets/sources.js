// Sources: their schedule and last runs, their checkpoint (view, set, reset under the CLI's
// lease rules) and "run now". A card is built once per source and its figures updated in place,
// so an edit in progress survives the live updates.
import { ago, clock, count, duration, fill, h, inTime, json, pill } from './dom.js';

function runsTable(runs, now) {
  if (!runs.length) return h('p', { class: 'empty' }, 'No run yet.');
  return h('table', { class: 'grid compact' }, [
    h('caption', null, 'Last runs'),
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        ['started', 'took', 'records', 'ended', 'checkpoint after', 'error'].map((c) => h('th', { scope: 'col' }, c)),
      ),
    ),
    h(
      'tbody',
      null,
      runs.map((r) =>
        h('tr', null, [
          h('td', null, clock(r.at), h('div', { class: 'sub' }, ago(r.at, now))),
          h('td', { class: 'num' }, duration(r.durationMs)),
          h('td', { class: 'num' }, count(r.records)),
          h('td', null, r.stopReason ?? '–'),
          h('td', null, h('code', null, r.checkpoint === undefined ? '–' : JSON.stringify(r.checkpoint))),
          h('td', { class: 'error' }, r.error ?? ''),
        ]),
      ),
    ),
  ]);
}

function sourceCard(src, ctx) {
  const id = `src-${src.function.replace(/[^A-Za-z0-9_-]/g, '-')}`;
  const parts = {
    title: h('h3', { id: `${id}-title` }),
    state: h('span'),
    facts: h('dl', { class: 'facts' }),
    runs: h('div'),
    checkpoint: h('pre', { class: 'json', 'aria-label': 'stored checkpoint' }),
    lease: h('p', { class: 'sub' }),
    editor: h('textarea', { id: `${id}-editor`, rows: '4', spellcheck: 'false', 'aria-describedby': `${id}-hint` }),
    force: h('input', { type: 'checkbox', id: `${id}-force` }),
    runNow: h('button', { type: 'button', class: 'primary' }, 'Run now'),
    set: h('button', { type: 'button' }, 'Set checkpoint'),
    reset: h('button', { type: 'button', class: 'danger' }, 'Reset checkpoint'),
    message: h('p', { class: 'message', role: 'status' }),
  };
  let lastRuns = -1;
  let edited = false;
  const card = h('article', { class: 'card source', 'aria-labelledby': `${id}-title`, 'data-source': src.function }, [
    h('header', null, parts.title, parts.state, parts.runNow),
    parts.facts,
    h('div', { class: 'columns' }, [
      h('section', null, [
        h('h4', null, 'Checkpoint'),
        parts.lease,
        parts.checkpoint,
        h('label', { for: `${id}-editor` }, 'New checkpoint (JSON)'),
        parts.editor,
        h('p', { id: `${id}-hint`, class: 'sub' }, 'Set and reset are refused while a run holds the lease, as with danube-connect checkpoint, unless forced.'),
        h('div', { class: 'row' }, [parts.set, parts.reset]),
        h('label', { class: 'check' }, parts.force, ' force (the run holding the lease then fails to commit)'),
        parts.message,
      ]),
      h('section', null, parts.runs),
    ]),
  ]);
  parts.editor.addEventListener('input', () => (edited = true));

  const say = (text, kind = 'info') => {
    parts.message.textContent = text;
    parts.message.className = `message message-${kind}`;
  };
  const loadCheckpoint = async () => {
    try {
      const v = await ctx.api('GET', `/api/sources/${encodeURIComponent(src.function)}/checkpoint`);
      parts.checkpoint.textContent = v.stored ? json(v.checkpoint) : '(nothing stored: the next run starts from the source’s initial checkpoint)';
      parts.lease.textContent = `key ${v.key} · version ${v.version}${v.updatedAt ? ` · written ${clock(v.updatedAt)}` : ''}${
        v.lease ? ` · lease ${v.lease.live ? 'held' : 'expired'} by ${v.lease.owner} until ${clock(v.lease.until)}` : ' · no lease'
      }`;
      if (!edited) parts.editor.value = v.stored ? JSON.stringify(v.checkpoint) : '';
    } catch (err) {
      parts.checkpoint.textContent = '';
      parts.lease.textContent = err.message;
    }
  };
  const act = async (what, method, path, body) => {
    try {
      const result = await ctx.api(method, path, body);
      say(`${what}: done`);
      ctx.toast(`${src.function}: ${what} done`);
      edited = false;
      await loadCheckpoint();
      return result;
    } catch (err) {
      say(`${what}: ${err.message}`, 'error');
      ctx.toast(`${src.function}: ${err.message}`, 'error');
    }
  };
  parts.runNow.addEventListener('click', () => {
    say('running…');
    act('run now', 'POST', `/api/sources/${encodeURIComponent(src.function)}/run`, {});
  });
  parts.set.addEventListener('click', () => {
    let value;
    try {
      value = JSON.parse(parts.editor.value);
    } catch (err) {
      say(`not JSON: ${err.message}`, 'error');
      parts.editor.focus();
      return;
    }
    act('set checkpoint', 'POST', `/api/sources/${encodeURIComponent(src.function)}/checkpoint`, { checkpoint: value, force: parts.force.checked });
  });
  parts.reset.addEventListener('click', () => {
    if (!confirm(`Reset the checkpoint of ${src.source ?? src.function}? Its next run starts from the beginning.`)) return;
    act('reset checkpoint', 'POST', `/api/sources/${encodeURIComponent(src.function)}/checkpoint/reset`, { force: parts.force.checked });
  });

  return {
    card,
    loadCheckpoint,
    update(s, now) {
      parts.title.textContent = s.source ? `${s.function} (${s.source})` : s.function;
      fill(parts.state, pill(s.running ? 'running' : s.lastError && s.recentRuns[0]?.stopReason === 'error' ? 'error' : 'idle'));
      fill(
        parts.facts,
        [
          ['schedule', s.schedules.join(', ') || '–'],
          ['next run', inTime(s.nextRunAt, now)],
          ['publishes to', s.topic ?? '–'],
          ['runs', count(s.runs)],
          ['records', count(s.records)],
          ['dead-lettered', count(s.deadLettered)],
          ['errors', count(s.errors)],
          ...(s.lastError ? [['last error', `${s.lastError} (${clock(s.lastErrorAt)})`]] : []),
        ].map(([k, v]) => h('div', null, h('dt', null, k), h('dd', null, v))),
      );
      fill(parts.runs, runsTable(s.recentRuns, now));
      for (const [button, action] of [
        [parts.runNow, 'runNow'],
        [parts.set, 'checkpoints'],
        [parts.reset, 'checkpoints'],
      ]) {
        button.disabled = !ctx.can(action);
        button.title = ctx.whyNot(action);
      }
      parts.editor.readOnly = !ctx.can('checkpoints');
      if (s.runs !== lastRuns) {
        lastRuns = s.runs;
        loadCheckpoint();
      }
    },
  };
}

export function sourcesPanel(el, ctx) {
  const cards = new Map();
  const list = h('div', { class: 'cards' });
  fill(el, h('h2', null, 'Sources'), list);
  return {
    shown() {
      for (const c of cards.values()) c.loadCheckpoint();
    },
    update(s) {
      if (!s.sources.length) fill(list, h('p', { class: 'empty' }, 'This pipeline has no scheduled source.'));
      for (const src of s.sources) {
        let c = cards.get(src.function);
        if (!c) {
          if (!cards.size) list.replaceChildren();
          c = sourceCard(src, ctx);
          cards.set(src.function, c);
          list.append(c.card);
        }
        c.update(src, s.at);
      }
    },
  };
}
