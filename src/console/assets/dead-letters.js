// Dead letters: browse a dead-letter topic by reason and origin, read each record's envelope and
// payload, select records and redrive them, following the redrive's progress live.
import { ago, clock, count, fill, h, json } from './dom.js';

const REASONS = ['invalid-record', 'retries-exhausted', 'too-large', 'max-record-age', 'fatal'];

function details(r) {
  return h('div', { class: 'details' }, [
    h('h5', null, 'Envelope'),
    h('pre', { class: 'json' }, json(r.envelope)),
    h('h5', null, 'Attributes'),
    h('pre', { class: 'json' }, json(r.attributes)),
    h('h5', null, `Payload (${r.preview.kind}, ${count(r.preview.bytes)} bytes${r.preview.truncated ? ', cut' : ''})`),
    h('pre', { class: `payload payload-${r.preview.kind}` }, r.preview.text),
  ]);
}

function jobView(job) {
  const max = job.selected ?? Math.max(job.progress.matched, 1);
  return h('li', { class: `job job-${job.state}`, 'data-job': job.id }, [
    h('p', null, [
      h('strong', null, `Redrive from ${job.topic}`),
      ` · ${job.state}`,
      ` · sent ${count(job.progress.sent)} of ${count(job.selected ?? job.progress.matched)}`,
      job.progress.failed ? ` · ${count(job.progress.failed)} failed again` : '',
      job.summary
        ? ` · to ${
            Object.entries(job.summary.destinations)
              .map(([k, v]) => `${k} (${v})`)
              .join(', ') || '–'
          } in ${job.summary.durationMs} ms`
        : '',
      job.error ? ` · ${job.error}` : '',
    ]),
    h('progress', { max: String(max), value: String(Math.min(job.progress.sent + job.progress.failed, max)), 'aria-label': `redrive progress ${job.id}` }),
  ]);
}

export function deadLettersPanel(el, ctx) {
  const topicSelect = h('select', { id: 'dlq-topic' });
  const reasonSelect = h(
    'select',
    { id: 'dlq-reason' },
    h('option', { value: '' }, 'any reason'),
    REASONS.map((r) => h('option', { value: r }, r)),
  );
  const originSelect = h('select', { id: 'dlq-origin' }, h('option', { value: '' }, 'any origin'));
  const refresh = h('button', { type: 'button' }, 'Refresh');
  const summary = h('p', { class: 'summary', 'aria-live': 'polite' });
  const list = h('div');
  const selectAll = h('button', { type: 'button' }, 'Select all shown');
  const redrive = h('button', { type: 'button', class: 'primary' }, 'Redrive selected');
  const dryRun = h('input', { type: 'checkbox', id: 'dlq-dry-run' });
  const jobs = h('ul', { class: 'jobs', 'aria-live': 'polite', 'aria-label': 'Redrives' });
  const counts = h('div');
  const selected = new Set();
  let shownIds = [];
  let lastCount;
  const origins = new Set();

  const updateButtons = () => {
    redrive.textContent = `Redrive selected (${selected.size})`;
    redrive.disabled = !ctx.can('redrive') || selected.size === 0;
    redrive.title = ctx.whyNot('redrive') || (selected.size ? '' : 'select records first');
    selectAll.disabled = shownIds.length === 0;
  };

  const load = async () => {
    const topic = topicSelect.value;
    if (!topic || !ctx.snapshot?.deadLettersBrowsable) return;
    const params = new URLSearchParams({ topic, limit: '200' });
    if (reasonSelect.value) params.set('reasons', reasonSelect.value);
    if (originSelect.value) params.set('origin', originSelect.value);
    try {
      const { summary: s, records } = await ctx.api('GET', `/api/dead-letters?${params}`);
      for (const o of Object.keys(s.byOrigin)) {
        if (!origins.has(o)) {
          origins.add(o);
          originSelect.append(h('option', { value: o }, o));
        }
      }
      fill(summary, [
        h('strong', null, `${count(s.total)} dead letters`),
        ' · ',
        Object.entries(s.byReason).map(([k, v]) => h('span', { class: 'chip' }, `${k}: ${v}`)),
        ' ',
        Object.entries(s.byOrigin).map(([k, v]) => h('span', { class: 'chip chip-origin' }, `${k}: ${v}`)),
      ]);
      shownIds = records.map((r) => r.id);
      for (const id of [...selected]) if (!shownIds.includes(id)) selected.delete(id);
      fill(list, records.length ? recordsTable(records) : h('p', { class: 'empty' }, 'No dead letter matches.'));
    } catch (err) {
      fill(list, h('p', { class: 'error' }, err.message));
    }
    updateButtons();
  };

  const recordsTable = (records) =>
    h('table', { class: 'grid dlq' }, [
      h('caption', null, `Records (${records.length} shown)`),
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          ['', 'reason', 'origin', 'error', 'original', 'attempts', 'last failure', ''].map((c) => h('th', { scope: 'col' }, c)),
        ),
      ),
      records.map((r) => {
        const box = h('input', {
          type: 'checkbox',
          checked: selected.has(r.id),
          'aria-label': `select ${r.id}`,
          onchange: (e) => {
            if (e.target.checked) selected.add(r.id);
            else selected.delete(r.id);
            updateButtons();
          },
        });
        const more = h('tr', { class: 'more', hidden: true }, h('td', { colspan: '8' }, details(r)));
        const toggle = h('button', { type: 'button', 'aria-expanded': 'false', 'aria-label': `details of ${r.id}` }, 'Details');
        toggle.addEventListener('click', () => {
          more.hidden = !more.hidden;
          toggle.setAttribute('aria-expanded', String(!more.hidden));
        });
        const e = r.envelope;
        return h('tbody', { 'data-id': r.id }, [
          h('tr', null, [
            h('td', null, box),
            h('td', null, h('span', { class: `chip reason-${e.reason}` }, e.reason)),
            h('td', null, e.origin),
            h('td', { class: 'error' }, e.error, h('div', { class: 'sub' }, e.errorClass)),
            h(
              'td',
              null,
              `${e.originalTopic}${e.originalOffset !== undefined ? `@${e.originalOffset}` : ''}`,
              h('div', { class: 'sub' }, r.key ? `key ${r.key}` : ''),
            ),
            h('td', { class: 'num' }, count(e.attempts)),
            h('td', null, clock(e.lastFailureAt), h('div', { class: 'sub' }, ago(e.lastFailureAt))),
            h('td', null, toggle),
          ]),
          more,
        ]);
      }),
    ]);

  selectAll.addEventListener('click', () => {
    for (const id of shownIds) selected.add(id);
    for (const box of list.querySelectorAll('input[type=checkbox]')) box.checked = true;
    updateButtons();
  });
  redrive.addEventListener('click', async () => {
    const ids = [...selected];
    try {
      const job = await ctx.api('POST', '/api/dead-letters/redrive', { topic: topicSelect.value, ids, dryRun: dryRun.checked });
      ctx.toast(`Redriving ${ids.length} record(s) to their original topic${dryRun.checked ? ' (dry run)' : ''}`);
      showJob(job);
      selected.clear();
      for (const box of list.querySelectorAll('input[type=checkbox]')) box.checked = false;
      updateButtons();
    } catch (err) {
      ctx.toast(err.message, 'error');
    }
  });
  const showJob = (job) => {
    const view = jobView(job);
    const old = jobs.querySelector(`[data-job="${CSS.escape(job.id)}"]`);
    if (old) old.replaceWith(view);
    else jobs.prepend(view);
    if (job.state !== 'running') load();
  };
  ctx.listeners.job.push(showJob);
  for (const s of [topicSelect, reasonSelect, originSelect]) s.addEventListener('change', load);
  refresh.addEventListener('click', load);

  const browser = h('div', { class: 'dlq-browser' }, [
    h('div', { class: 'row filters' }, [
      h('label', { for: 'dlq-topic' }, 'Topic'),
      topicSelect,
      h('label', { for: 'dlq-reason' }, 'Reason'),
      reasonSelect,
      h('label', { for: 'dlq-origin' }, 'Origin'),
      originSelect,
      refresh,
    ]),
    summary,
    list,
    h('div', { class: 'row actions' }, [selectAll, h('label', { class: 'check' }, dryRun, ' dry run (count only)'), redrive]),
    h(
      'p',
      { class: 'sub' },
      'A redrive publishes each selected record, with its original attributes and key, back to its original topic; the relay then hands it to the sink again.',
    ),
    h('h3', null, 'Redrives'),
    jobs,
  ]);
  fill(el, h('div', { class: 'panel-head' }, h('h2', null, 'Dead letters')), counts, browser);

  return {
    shown: load,
    update(s) {
      const topics = s.deadLetterTopics.map((t) => t.topic);
      if ([...topicSelect.options].map((o) => o.value).join() !== topics.join()) {
        const keep = topicSelect.value;
        fill(
          topicSelect,
          topics.map((t) => h('option', { value: t, selected: t === keep }, t)),
        );
      }
      fill(
        counts,
        s.deadLetterTopics.length
          ? h(
              'ul',
              { class: 'plain counts' },
              s.deadLetterTopics.map((t) =>
                h(
                  'li',
                  null,
                  h('strong', null, t.topic),
                  `: ${count(t.count)} since start`,
                  t.lastReason ? ` · last ${t.lastReason}` : '',
                  t.lastOrigin ? ` by ${t.lastOrigin}` : '',
                ),
              ),
            )
          : h('p', { class: 'empty' }, 'No dead-letter topic in this pipeline.'),
      );
      browser.hidden = !s.deadLettersBrowsable || !topics.length;
      if (!s.deadLettersBrowsable && topics.length)
        counts.append(h('p', { class: 'sub' }, 'Browsing and redriving need the dead-letter tooling, which this console does not have.'));
      const total = s.deadLetterTopics.find((t) => t.topic === topicSelect.value)?.count;
      if (total !== lastCount && selected.size === 0) load();
      lastCount = total;
      updateButtons();
    },
  };
}
