import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StreamMessage } from '../generated/danube/DanubeApi.js';
import { BrokerError } from './errors.js';
import type { BrokerState } from './state.js';
import { Subscription } from './subscription.js';
import { Topic } from './topic.js';
import { DataDir, topicDir, type Metadata } from './wal.js';

/**
 * Reads a topic's log, keeping records from `from` on; stops at a torn last record.
 * When older records (acked by every subscription) make up most of the file, the
 * file is rewritten with the kept ones only, so the log does not grow forever
 * across restarts.
 */
function readLog(path: string, from: number, onRecord: (offset: number, msg: StreamMessage) => void): number {
  if (!existsSync(path)) return -1;
  const buf = readFileSync(path);
  let pos = 0;
  let last = -1;
  let keptFrom = -1;
  while (pos + 4 <= buf.length) {
    const len = buf.readUInt32LE(pos);
    if (pos + 4 + len > buf.length) break;
    const msg = StreamMessage.decode(buf.subarray(pos + 4, pos + 4 + len));
    const offset = Number(msg.msgId?.topicOffset ?? 0n);
    last = offset;
    if (offset >= from) {
      if (keptFrom < 0) keptFrom = pos;
      onRecord(offset, msg);
    }
    pos += 4 + len;
  }
  const dropped = keptFrom < 0 ? pos : keptFrom;
  if (pos < buf.length || (dropped > 1 << 20 && dropped * 2 > pos)) {
    writeFileSync(`${path}.tmp`, buf.subarray(dropped, pos));
    renameSync(`${path}.tmp`, path);
  }
  return last;
}

/** Loads what `dir` holds into a fresh state and makes it that state's persistence. */
export async function openDataDir(state: BrokerState, dir: string): Promise<void> {
  try {
    load(state, dir);
  } catch (err) {
    if (err instanceof BrokerError) throw err;
    throw new BrokerError(`cannot open data directory ${dir}: ${(err as Error).message}`, { cause: err });
  }
  const persistence = new DataDir(state, dir, state.options.fsyncIntervalMs);
  state.persistence = persistence;
  persistence.writeMetadata();
}

function load(state: BrokerState, dir: string): void {
  mkdirSync(join(dir, 'topics'), { recursive: true });
  const metaPath = join(dir, 'metadata.json');
  if (existsSync(metaPath)) {
    const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as Metadata;
    for (const ns of meta.namespaces) state.namespaces.add(ns);
    for (const [ns, limit] of meta.namespaceLimits ?? []) state.namespaceLimits.set(ns, limit);
    if (meta.security) state.rbac.restore(meta.security);
    for (const [k, v] of meta.policies) state.policyOverrides.set(k, v);
    for (const r of meta.schemas) state.schemas.restore({ ...r, id: BigInt(r.id) });
    for (const tm of meta.topics) {
      const tdir = topicDir(dir, tm.name);
      const cursorsPath = join(tdir, 'cursors.json');
      const saved = existsSync(cursorsPath)
        ? (JSON.parse(readFileSync(cursorsPath, 'utf8')) as { next: number; cursors: Record<string, number> })
        : { next: 0, cursors: {} };
      const subCursor = (name: string): number => saved.cursors[name] ?? saved.next;
      const from = tm.subscriptions.length > 0 ? Math.min(...tm.subscriptions.map((s) => subCursor(s.name))) : Infinity;
      // A dataDir written by a bigger cluster: fold its owners onto the brokers there are now.
      const owner = tm.owner % state.nodes;
      const t = new Topic(tm.name, tm.reliable, owner, state, Number.isFinite(from) ? from : saved.next);
      t.schemaSubject = tm.schemaSubject;
      t.validationPolicy = tm.validationPolicy;
      t.enablePayloadValidation = tm.enablePayloadValidation;
      if (t.log) {
        const log = t.log;
        const last = readLog(join(tdir, 'log'), from, (o, m) => log.restore(o, m));
        const next = Math.max(saved.next, last + 1);
        if (log.size === 0) log.resetTo(next);
        else if (log.next < next) log.next = next;
      }
      for (const s of tm.subscriptions) {
        const cursor = t.log ? Math.min(subCursor(s.name), t.log.next) : undefined;
        t.addSubscription(new Subscription(s.name, s.kind, t, state.policyFor(tm.name, s.name), cursor));
      }
      state.topics.set(t.name, t);
    }
  } else if (readdirSync(join(dir, 'topics')).length > 0) {
    throw new BrokerError(`${dir} has topic logs but no metadata.json`);
  }
}
