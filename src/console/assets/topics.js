// Topics: partitions, subscriptions and backlogs through the broker's admin API, and a peek at
// the newest messages the console saw on a topic, with their payload.
import { ago, clock, count, fill, h } from './dom.js';

export function messageList(messages, now) {
  if (!messages.length) return h('p', { class: 'empty' }, 'No message seen on this topic since the console started.');
  return h(
    'ol',
    { class: 'messages' },
    messages.map((m) =>
      h('li', { class: 'message-item' }, [
        h('p', { class: 'meta' }, [
          h('strong', null, `${m.topic}@${m.offset}`),
          ` · ${clock(m.publishTime)} (${ago(m.publishTime, now)})`,
          m.key ? ` · key ${m.key}` : '',
          m.producer ? ` · from ${m.producer}` : '',
          ` · ${m.preview.kind}, ${count(m.preview.bytes)} bytes`,
        ]),
        Object.keys(m.attributes).length
          ? h(
              'p',
              { class: 'attrs' },
              Object.entries(m.attributes).map(([k, v]) => h('code', null, `${k}=${v}`)),
            )
          : null,
        h('pre', { class: `payload payload-${m.preview.kind}` }, m.preview.text + (m.preview.truncated ? '\n…' : '')),
      ]),
    ),
  );
}

export function topicsPanel(el, ctx) {
  const table = h('div');
  const peekTitle = h('h3', { id: 'peek-title' }, 'Peek');
  const peekBody = h('div', { 'aria-live': 'polite' }, h('p', { class: 'empty' }, 'Choose “Peek” on a topic to see its newest messages.'));
  const refresh = h('button', { type: 'button' }, 'Refresh');
  let loadedAt = 0;
  let loading = false;
  let peeking;

  const peek = async (topic) => {
    peeking = topic;
    peekTitle.textContent = `Newest messages on ${topic}`;
    try {
      const messages = await ctx.api('GET', `/api/topics/peek?topic=${encodeURIComponent(topic)}&limit=20`);
      fill(peekBody, messageList(messages, Date.now()));
    } catch (err) {
      fill(peekBody, h('p', { class: 'error' }, err.message));
    }
  };

  const load = async () => {
    if (loading) return;
    loading = true;
    try {
      const topics = await ctx.api('GET', '/api/topics');
      loadedAt = Date.now();
      fill(
        table,
        h('table', { class: 'grid' }, [
          h('caption', null, `Topics (${topics.length})`),
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              ['topic', 'partitions', 'dispatch', 'subscriptions (backlog)', 'backlog', 'published', 'in this pipeline', ''].map((c) =>
                h('th', { scope: 'col' }, c),
              ),
            ),
          ),
          h(
            'tbody',
            null,
            topics.map((t) =>
              h('tr', { 'data-topic': t.name }, [
                h('th', { scope: 'row' }, t.name),
                h('td', { class: 'num' }, t.partitions.length === 1 && t.partitions[0] === t.name ? '–' : count(t.partitions.length)),
                h('td', null, t.dispatch),
                h(
                  'td',
                  null,
                  t.subscriptions.length
                    ? h(
                        'ul',
                        { class: 'plain' },
                        t.subscriptions.map((s) => h('li', null, `${s.name}${s.backlog !== undefined ? ` (${count(s.backlog)})` : ''}`)),
                      )
                    : '–',
                ),
                h('td', { class: 'num' }, t.backlog === undefined ? 'n/a' : count(t.backlog)),
                h('td', { class: 'num' }, t.published === undefined ? 'n/a' : count(t.published)),
                h(
                  'td',
                  null,
                  t.roles.length
                    ? h(
                        'ul',
                        { class: 'plain' },
                        t.roles.map((r) => h('li', null, r)),
                      )
                    : '–',
                ),
                h('td', null, h('button', { type: 'button', 'aria-label': `Peek at ${t.name}`, onclick: () => peek(t.name) }, 'Peek')),
              ]),
            ),
          ),
        ]),
      );
      if (peeking) await peek(peeking);
    } catch (err) {
      fill(table, h('p', { class: 'error' }, err.message));
    } finally {
      loading = false;
    }
  };
  refresh.addEventListener('click', load);
  fill(
    el,
    h('div', { class: 'panel-head' }, h('h2', null, 'Topics'), refresh),
    h('p', { class: 'sub' }, 'Backlog: messages a subscription has not acked yet (the embedded broker tells; a real broker’s admin API does not).'),
    table,
    h('section', { class: 'peek', 'aria-labelledby': 'peek-title' }, peekTitle, peekBody),
  );
  return {
    shown: load,
    update() {
      if (Date.now() - loadedAt > 5000) load();
    },
  };
}
