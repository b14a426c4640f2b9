// What `danube-connect dlq` prints: counts, one line per record, whole records, and the progress
// and summary of a redrive.
import type { DeadLetterRecord, DeadLetterSummary, RedriveProgress, RedriveSummary } from '../../dlq/index.js';
import { table } from '../admin/admin-cli.js';

const when = (ms: number | undefined) => (ms ? new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z') : '-');
const oneLine = (text: string, n: number) => {
  const s = text.replace(/\s+/g, ' ').trim();
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
};

export function summaryText(s: DeadLetterSummary): string {
  const lines = [`${s.topic}: ${s.total} record(s) not yet redriven${s.total ? `, last failures ${when(s.oldest)} … ${when(s.newest)}` : ''}`];
  if (s.total) {
    lines.push('', 'by reason:');
    for (const [reason, n] of Object.entries(s.byReason).sort((a, b) => b[1] - a[1])) lines.push(`  ${String(n).padStart(6)}  ${reason}`);
    lines.push('', 'by origin:');
    for (const [origin, n] of Object.entries(s.byOrigin).sort((a, b) => b[1] - a[1])) lines.push(`  ${String(n).padStart(6)}  ${origin}`);
  }
  return `${lines.join('\n')}\n`;
}

export function listText(records: readonly DeadLetterRecord[], total: number): string {
  const rows = records.map((r) => ({
    id: r.id,
    reason: r.envelope.reason,
    origin: r.envelope.origin,
    attempts: r.envelope.attempts,
    'last failure': when(r.envelope.lastFailureAt || r.publishTime),
    key: r.key ?? '',
    error: oneLine(r.envelope.error, 60),
  }));
  const more = total > records.length ? `(${total - records.length} more match: raise --limit)\n` : '';
  return table(rows, ['id', 'reason', 'origin', 'attempts', 'last failure', 'key', 'error']) + more;
}

export function peekText(records: readonly DeadLetterRecord[], total: number): string {
  const out: string[] = [];
  for (const r of records) {
    const e = r.envelope;
    out.push(`── ${r.id}  published ${when(r.publishTime)}`);
    out.push(`reason      ${e.reason} (${e.errorClass}) after ${e.attempts} attempt(s), by ${e.origin}`);
    out.push(`error       ${e.error}`);
    out.push(`failed      first ${when(e.firstFailureAt)}, last ${when(e.lastFailureAt)}`);
    const position = [
      e.originalPartition !== undefined ? `partition ${e.originalPartition}` : '',
      e.originalOffset !== undefined ? `offset ${e.originalOffset}` : '',
      e.originalPublishTime !== undefined ? `published ${when(e.originalPublishTime)}` : '',
    ].filter(Boolean);
    out.push(`original    ${e.originalTopic || '(none)'}${position.length ? ` (${position.join(', ')})` : ''}`);
    if (e.originalRecordId !== undefined) out.push(`record id   ${e.originalRecordId}`);
    if (r.key !== undefined) out.push(`key         ${r.key}`);
    const attrs = Object.entries(r.attributes);
    if (attrs.length) out.push(`attributes  ${attrs.map(([k, v]) => `${k}=${v}`).join(', ')}`);
    const p = r.preview;
    out.push(`payload     ${p.kind}, ${p.bytes} bytes${p.truncated ? ' (cut)' : ''}:`);
    out.push(...p.text.split('\n').map((l) => `  ${l}`), '');
  }
  if (total > records.length) out.push(`(${total - records.length} more match: raise --limit)`);
  if (!records.length) out.push('(none)');
  return `${out.join('\n')}\n`;
}

export function redriveText(s: RedriveSummary, topic: string): string {
  const where = Object.entries(s.destinations).map(([d, n]) => `${n} to ${d}`);
  const verb = s.dryRun ? 'would send' : 'sent';
  const left = s.matched - s.sent - s.failed;
  return (
    `${s.dryRun ? '[dry run] ' : ''}${topic}: ${s.matched} matched, ${s.sent} ${verb}${where.length ? ` (${where.join(', ')})` : ''}` +
    `${s.failed ? `, ${s.failed} failed again (back on ${topic} with their attempts added up)` : ''}` +
    `${left > 0 ? `, ${left} left on ${topic}` : ''} in ${(s.durationMs / 1000).toFixed(1)}s\n`
  );
}

/** A one-line progress bar, redrawn in place on a terminal. */
export function progressBar(p: RedriveProgress, total: number, width = 30): string {
  const done = p.sent + p.failed;
  const ratio = total > 0 ? Math.min(1, done / total) : 0;
  const filled = Math.round(ratio * width);
  return `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} sent${p.failed ? `, ${p.failed} failed again` : ''}\x1b[K`;
}
