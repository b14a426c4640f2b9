import type { BindingStatus } from '../relay/binding-status.js';
import type { DeadLetterView } from './dead-letter-watch.js';
import type { SourceView } from './source-scheduler.js';

/** One binding as the status view shows it. */
export interface BindingView {
  name: string;
  topic: string;
  subscription: string;
  /** The relay's state, or `idle` when only disabled sources publish to its topic. */
  state: BindingStatus['state'] | 'idle';
  /** Why the state is what it is, when that is not obvious (e.g. which disabled sources feed it). */
  note?: string;
  received: number;
  /** Acked: handled by the function, filtered out, or moved to the dead-letter topic. */
  acked: number;
  inFlight: number;
  retries: number;
  deadLettered: number;
  /** Records not yet acked: read by the relay (buffered + in flight), or, with the embedded
   * broker, everything the broker still holds for the subscription. */
  lag: number;
  oldestUnackedAgeMs: number;
  /** Acked records per second over the last refresh interval. */
  throughput: number;
  lastError?: string;
  lastErrorAt?: number;
  errorCount?: number;
}

export interface DevStatus {
  uptimeMs: number;
  brokerUrl: string;
  dynamoDbEndpoint: string;
  sources: SourceView[];
  bindings: BindingView[];
  deadLetters: DeadLetterView[];
  /** Functions that could not start locally (e.g. a connector without its settings), and why. */
  disabled: Array<{ function: string; reason: string }>;
  /** What the configuration may get wrong (e.g. a binding without a dead-letter topic). */
  warnings: string[];
  /** Where the example sink and the dead-letter log write. */
  files: string[];
}

/** The keys the terminal view answers to. */
export const STATUS_KEYS = 'keys: 1-9 run that source now · a run all sources · q quit';

/** Turns relay status into binding views; `previous` gives throughput. */
export function bindingViews(bindings: BindingStatus[], previous: Map<string, { acked: number; at: number }>, now: number): BindingView[] {
  return bindings.map((b) => {
    const acked = b.counts.succeeded + b.counts.filtered + b.counts.deadLettered;
    const before = previous.get(b.name);
    const seconds = before ? (now - before.at) / 1000 : 0;
    const throughput = before && seconds > 0 ? (acked - before.acked) / seconds : 0;
    previous.set(b.name, { acked, at: now });
    const view: BindingView = {
      name: b.name,
      topic: b.topic,
      subscription: b.subscription,
      state: b.state,
      received: b.counts.received,
      acked,
      inFlight: b.inFlightRecords,
      retries: b.counts.retried,
      deadLettered: b.counts.deadLettered,
      lag: b.buffered + b.inFlightRecords,
      oldestUnackedAgeMs: b.oldestUnackedAgeMs,
      throughput,
    };
    if (b.lastError !== undefined) view.lastError = b.lastError;
    if (b.lastErrorAt !== undefined) view.lastErrorAt = b.lastErrorAt;
    if (b.errorCount !== undefined) view.errorCount = b.errorCount;
    return view;
  });
}

/**
 * A running binding whose topic only disabled sources publish to is `idle`, saying which: it
 * receives nothing here, whatever the relay can do. `feeders` maps a topic to the sources that
 * publish to it, enabled and disabled.
 */
export function withInputs(views: BindingView[], feeders: ReadonlyMap<string, { enabled: string[]; disabled: string[] }>): BindingView[] {
  return views.map((v) => {
    const f = feeders.get(v.topic);
    if (v.state !== 'running' || !f || f.enabled.length > 0 || f.disabled.length === 0) return v;
    return { ...v, state: 'idle', note: `only disabled sources publish to ${v.topic} (${f.disabled.join(', ')})` };
  });
}

const ago = (at: number | undefined, now: number) => (at === undefined ? '-' : `${Math.max(0, Math.round((now - at) / 1000))}s ago`);
const inS = (at: number | undefined, now: number) => (at === undefined ? '-' : `in ${Math.max(0, Math.round((at - now) / 1000))}s`);
const short = (v: unknown, n = 28) => {
  const s = v === undefined ? '-' : typeof v === 'string' ? v.replace(/\s+/g, ' ') : JSON.stringify(v);
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
};

/** `last error 3s ago (×474): batch failed: …`, cut to one line of `width` characters. */
function errorLine(error: string, at: number | undefined, count: number | undefined, now: number, width: number): string {
  const head = `   ↳ last error ${at === undefined ? '' : `${ago(at, now)} `}${count && count > 1 ? `(×${count}) ` : ''}`;
  return head + short(error, Math.max(20, width - head.length));
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** A table whose rows may each be followed by extra lines (a last error, a note). */
function tableWithNotes(header: string[], rows: Array<{ cells: string[]; after: string[] }>): string[] {
  const lines = table(
    header,
    rows.map((r) => r.cells),
  );
  const out = [lines[0]!];
  rows.forEach((r, i) => out.push(lines[i + 1]!, ...r.after));
  return out;
}

/**
 * The status view as lines of text (the TTY view redraws them in place); `width` is the
 * terminal's, to which error lines are cut.
 *
 * @example
 * process.stdout.write(renderStatus(status, Date.now(), process.stdout.columns).join('\n'));
 */
export function renderStatus(s: DevStatus, now = Date.now(), width = 120): string[] {
  const lines = [`danube-connect dev · up ${Math.round(s.uptimeMs / 1000)}s · broker ${s.brokerUrl} · dynamodb ${s.dynamoDbEndpoint}`, STATUS_KEYS, ''];
  lines.push('SOURCES (counts since start)');
  lines.push(
    ...tableWithNotes(
      ['#', 'function', 'schedule', 'last run', 'next', 'records', 'last', 'checkpoint', 'errors'],
      s.sources.map((v, i) => ({
        cells: [
          String(i + 1),
          v.source ? `${v.function} (${v.source})` : v.function,
          v.schedules.join(' '),
          v.running ? 'running…' : ago(v.lastRunAt, now),
          inS(v.nextRunAt, now),
          String(v.records),
          v.lastRecords === undefined ? '-' : String(v.lastRecords),
          short(v.checkpoint),
          String(v.errors),
        ],
        after: v.lastError ? [errorLine(v.lastError, v.lastErrorAt, v.errors, now, width)] : [],
      })),
    ),
  );
  lines.push('', 'BINDINGS (received … retries: since start; lag: what the broker holds)');
  lines.push(
    ...tableWithNotes(
      ['binding', 'state', 'received', 'acked', 'in flight', 'retries', 'dead-lettered', 'lag', 'oldest', 'rec/s'],
      s.bindings.map((b) => ({
        cells: [
          b.name,
          b.state,
          String(b.received),
          String(b.acked),
          String(b.inFlight),
          String(b.retries),
          String(b.deadLettered),
          String(b.lag),
          b.oldestUnackedAgeMs ? `${(b.oldestUnackedAgeMs / 1000).toFixed(1)}s` : '-',
          b.throughput.toFixed(1),
        ],
        after: [
          ...(b.note ? [`   ↳ ${short(b.note, Math.max(20, width - 5))}`] : []),
          ...(b.lastError ? [errorLine(b.lastError, b.lastErrorAt, b.errorCount, now, width)] : []),
        ],
      })),
    ),
  );
  if (s.deadLetters.length) {
    lines.push('', 'DEAD-LETTER TOPICS (since start; on topic: not yet redriven, from the broker)');
    lines.push(
      ...table(
        ['topic', 'since start', 'on topic', 'last reason', 'last origin'],
        s.deadLetters.map((d) => [d.topic, String(d.count), d.onTopic === undefined ? '-' : String(d.onTopic), d.lastReason ?? '-', d.lastOrigin ?? '-']),
      ),
    );
    lines.push('   inspect and redrive: npx danube-connect dlq summary|list|peek|redrive TOPIC');
  }
  if (s.warnings.length) lines.push('', 'WARNINGS', ...s.warnings.map((w) => `${short(w, Math.max(20, width))}`));
  if (s.disabled.length) {
    lines.push('', 'DISABLED (cannot start locally)');
    lines.push(...s.disabled.map((d) => short(`${d.function}: ${d.reason}`, Math.max(20, width))));
  }
  if (s.files.length) lines.push('', `files: ${s.files.join(', ')}`);
  return lines;
}

/** One log line per source and binding, for a terminal that is not a TTY (CI, a pipe). */
export function statusLogLines(s: DevStatus): string[] {
  const error = (e: string | undefined, at: number | undefined, count: number | undefined) =>
    e ? ` last-error="${short(e, 200)}"${at === undefined ? '' : ` last-error-at=${new Date(at).toISOString()}`}${count ? ` error-count=${count}` : ''}` : '';
  return [
    ...s.sources.map(
      (v) =>
        `[dev] source ${v.function}${v.source ? ` (${v.source})` : ''}: runs=${v.runs} records=${v.records} checkpoint=${short(v.checkpoint, 60)} errors=${v.errors}${error(v.lastError, v.lastErrorAt, undefined)}`,
    ),
    ...s.bindings.map(
      (b) =>
        `[dev] binding ${b.name}: state=${b.state} received=${b.received} acked=${b.acked} in-flight=${b.inFlight} retries=${b.retries} dead-lettered=${b.deadLettered} lag=${b.lag} rate=${b.throughput.toFixed(1)}/s${b.note ? ` note="${b.note}"` : ''}${error(b.lastError, b.lastErrorAt, b.errorCount)}`,
    ),
    ...s.deadLetters.map(
      (d) =>
        `[dev] dead-letter ${d.topic}: records=${d.count}${d.onTopic === undefined ? '' : ` on-topic=${d.onTopic}`}${d.lastReason ? ` last-reason=${d.lastReason}` : ''}`,
    ),
  ];
}
