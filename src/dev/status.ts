import type { BindingStatus } from '../relay/binding-status.js';
import type { DeadLetterView } from './dead-letter-watch.js';
import type { SourceView } from './source-scheduler.js';

/** One binding as the status view shows it. */
export interface BindingView {
  name: string;
  topic: string;
  subscription: string;
  state: BindingStatus['state'];
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
  /** Where the example sink and the dead-letter log write. */
  files: string[];
}

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
    return view;
  });
}

const ago = (at: number | undefined, now: number) => (at === undefined ? '-' : `${Math.max(0, Math.round((now - at) / 1000))}s ago`);
const inS = (at: number | undefined, now: number) => (at === undefined ? '-' : `in ${Math.max(0, Math.round((at - now) / 1000))}s`);
const short = (v: unknown, n = 28) => {
  const s = v === undefined ? '-' : typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
};

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/**
 * The status view as lines of text (the TTY view redraws them in place).
 *
 * @example
 * process.stdout.write(renderStatus(status, Date.now()).join('\n'));
 */
export function renderStatus(s: DevStatus, now = Date.now()): string[] {
  const lines = [`danube-connect dev · up ${Math.round(s.uptimeMs / 1000)}s · broker ${s.brokerUrl} · dynamodb ${s.dynamoDbEndpoint}`, ''];
  lines.push('SOURCES');
  lines.push(
    ...table(
      ['#', 'function', 'schedule', 'last run', 'next', 'records', 'last', 'checkpoint', 'errors'],
      s.sources.map((v, i) => [
        String(i + 1),
        v.source ? `${v.function} (${v.source})` : v.function,
        v.schedules.join(' '),
        v.running ? 'running…' : ago(v.lastRunAt, now),
        inS(v.nextRunAt, now),
        String(v.records),
        v.lastRecords === undefined ? '-' : String(v.lastRecords),
        short(v.checkpoint),
        v.errors ? `${v.errors}: ${short(v.lastError, 40)}` : '0',
      ]),
    ),
  );
  lines.push('', 'BINDINGS');
  lines.push(
    ...table(
      ['binding', 'state', 'received', 'acked', 'in flight', 'retries', 'dead-lettered', 'lag', 'oldest', 'rec/s'],
      s.bindings.map((b) => [
        b.name,
        b.lastError && b.state !== 'running' ? `${b.state} (${short(b.lastError, 30)})` : b.state,
        String(b.received),
        String(b.acked),
        String(b.inFlight),
        String(b.retries),
        String(b.deadLettered),
        String(b.lag),
        b.oldestUnackedAgeMs ? `${(b.oldestUnackedAgeMs / 1000).toFixed(1)}s` : '-',
        b.throughput.toFixed(1),
      ]),
    ),
  );
  if (s.deadLetters.length) {
    lines.push('', 'DEAD-LETTER TOPICS');
    lines.push(
      ...table(
        ['topic', 'records', 'last reason'],
        s.deadLetters.map((d) => [d.topic, String(d.count), short(d.lastReason ?? '-', 40)]),
      ),
    );
  }
  if (s.disabled.length) {
    lines.push('', 'DISABLED (cannot start locally)');
    lines.push(...s.disabled.map((d) => `${d.function}: ${short(d.reason, 100)}`));
  }
  if (s.files.length) lines.push('', `files: ${s.files.join(', ')}`);
  return lines;
}

/** One log line per source and binding, for a terminal that is not a TTY (CI, a pipe). */
export function statusLogLines(s: DevStatus): string[] {
  return [
    ...s.sources.map(
      (v) =>
        `[dev] source ${v.function}${v.source ? ` (${v.source})` : ''}: runs=${v.runs} records=${v.records} checkpoint=${short(v.checkpoint, 60)} errors=${v.errors}${v.lastError ? ` last-error="${v.lastError}"` : ''}`,
    ),
    ...s.bindings.map(
      (b) =>
        `[dev] binding ${b.name}: state=${b.state} received=${b.received} acked=${b.acked} in-flight=${b.inFlight} retries=${b.retries} dead-lettered=${b.deadLettered} lag=${b.lag} rate=${b.throughput.toFixed(1)}/s`,
    ),
    ...s.deadLetters.map((d) => `[dev] dead-letter ${d.topic}: records=${d.count}${d.lastReason ? ` last-reason=${d.lastReason}` : ''}`),
  ];
}
