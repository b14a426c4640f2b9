import { closeSync, existsSync, fsync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { StreamMessage } from '../generated/danube/DanubeApi.js';
import { ReliableDispatcher } from './dispatch/reliable.js';
import { BrokerError } from './errors.js';
import type { Persistence } from './persistence.js';
import type { SubscriptionPolicy } from './options.js';
import type { SubjectRecord } from './schema-registry.js';
import type { BrokerState } from './state.js';
import { Subscription, type SubscriptionKind } from './subscription.js';
import { Topic, type ValidationPolicy } from './topic.js';

// On-disk layout of `dataDir`:
//   metadata.json                 namespaces, topics, subscriptions, policies, schemas (atomic rewrite)
//   topics/<topic>/log            append-only records: u32 length (LE) + StreamMessage bytes (offset inside)
//   topics/<topic>/cursors.json   { next, cursors: { <subscription>: <first unacked offset> } }

interface TopicMeta {
  name: string;
  reliable: boolean;
  owner: number;
  schemaSubject?: string;
  validationPolicy: ValidationPolicy;
  enablePayloadValidation: boolean;
  subscriptions: Array<{ name: string; kind: SubscriptionKind }>;
}

interface Metadata {
  version: 1;
  namespaces: string[];
  policies: Array<[string, Partial<SubscriptionPolicy>]>;
  schemas: Array<Omit<SubjectRecord, 'id'> & { id: string }>;
  topics: TopicMeta[];
}

interface TopicFile {
  fd: number;
  chunks: Buffer[];
  synced: boolean;
  cursorsDirty: boolean;
  dir: string;
}

const topicDir = (root: string, name: string): string => join(root, 'topics', encodeURIComponent(name));

function writeAtomic(path: string, data: string): void {
  writeFileSync(`${path}.tmp`, data);
  renameSync(`${path}.tmp`, path);
}

/**
 * Reliable topics' messages and subscription cursors on disk. SendMessage is
 * answered after the in-memory append (as the real broker answers before its
 * fsync); records reach the OS at the end of the current event-loop turn and are
 * fsync'd every `fsyncIntervalMs` and on close. With `fsyncIntervalMs: 0` each
 * record is written and fsync'd before SendMessage is answered.
 */
class DataDir implements Persistence {
  private readonly files = new Map<Topic, TopicFile>();
  private flushQueued = false;
  private readonly timer: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly state: BrokerState,
    private readonly root: string,
    private readonly fsyncMs: number,
  ) {
    this.timer = setInterval(() => this.tick(), Math.max(fsyncMs, 100));
    this.timer.unref();
  }

  topicCreated(topic: Topic): void {
    this.writeMetadata();
    if (topic.reliable) this.file(topic);
  }

  topicChanged(_topic: Topic | null): void {
    this.writeMetadata();
  }

  append(topic: Topic, _offset: number, msg: StreamMessage): void {
    if (this.closed) return;
    const f = this.file(topic);
    const body = StreamMessage.encode(msg).finish();
    const head = Buffer.allocUnsafe(4);
    head.writeUInt32LE(body.length, 0);
    f.chunks.push(head, Buffer.from(body.buffer, body.byteOffset, body.length));
    f.cursorsDirty = true;
    if (this.fsyncMs === 0) {
      // Durable before SendMessage is answered.
      this.writeLogs();
      return;
    }
    if (!this.flushQueued) {
      this.flushQueued = true;
      setImmediate(() => this.writeLogs());
    }
  }

  cursorsMoved(topic: Topic): void {
    const f = this.files.get(topic);
    if (f) f.cursorsDirty = true;
  }

  async flush(): Promise<void> {
    this.writeLogs();
    this.writeCursors();
    await Promise.all([...this.files.values()].map((f) => new Promise<void>((r) => fsync(f.fd, () => r()))));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.writeLogs();
    this.writeCursors();
    this.writeMetadata();
    this.closed = true;
    clearInterval(this.timer);
    for (const f of this.files.values()) {
      fsyncSync(f.fd);
      closeSync(f.fd);
    }
    this.files.clear();
  }

  private file(topic: Topic): TopicFile {
    let f = this.files.get(topic);
    if (!f) {
      const dir = topicDir(this.root, topic.name);
      mkdirSync(dir, { recursive: true });
      f = { fd: openSync(join(dir, 'log'), 'a'), chunks: [], synced: true, cursorsDirty: true, dir };
      this.files.set(topic, f);
    }
    return f;
  }

  private writeLogs(): void {
    this.flushQueued = false;
    if (this.closed) return;
    for (const f of this.files.values()) {
      if (f.chunks.length === 0) continue;
      writeSync(f.fd, f.chunks.length === 1 ? f.chunks[0]! : Buffer.concat(f.chunks));
      f.chunks = [];
      if (this.fsyncMs === 0) fsyncSync(f.fd);
      else f.synced = false;
    }
  }

  private tick(): void {
    if (this.closed) return;
    this.writeLogs();
    this.writeCursors();
    for (const f of this.files.values()) {
      if (f.synced) continue;
      f.synced = true;
      fsync(f.fd, () => {});
    }
  }

  private writeCursors(): void {
    for (const [topic, f] of this.files) {
      if (!f.cursorsDirty) continue;
      f.cursorsDirty = false;
      const cursors: Record<string, number> = {};
      for (const sub of topic.subscriptions.values()) {
        if (sub.dispatcher instanceof ReliableDispatcher) cursors[sub.name] = sub.dispatcher.cursor;
      }
      writeAtomic(join(f.dir, 'cursors.json'), JSON.stringify({ next: topic.log?.next ?? 0, cursors }));
    }
  }

  writeMetadata(): void {
    if (this.closed) return;
    const s = this.state;
    const meta: Metadata = {
      version: 1,
      namespaces: [...s.namespaces],
      policies: [...s.policyOverrides],
      schemas: [...s.schemas.subjects.values()].map((r) => ({ ...r, id: String(r.id) })),
      topics: [...s.topics.values()].map((t) => ({
        name: t.name,
        reliable: t.reliable,
        owner: t.owner,
        schemaSubject: t.schemaSubject,
        validationPolicy: t.validationPolicy,
        enablePayloadValidation: t.enablePayloadValidation,
        subscriptions: [...t.subscriptions.values()].map((sub) => ({ name: sub.name, kind: sub.kind })),
      })),
    };
    writeAtomic(join(this.root, 'metadata.json'), JSON.stringify(meta));
  }
}

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
  mkdirSync(join(dir, 'topics'), { recursive: true });
  const metaPath = join(dir, 'metadata.json');
  if (existsSync(metaPath)) {
    const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as Metadata;
    for (const ns of meta.namespaces) state.namespaces.add(ns);
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
  state.persistence = new DataDir(state, dir, state.options.fsyncIntervalMs);
  (state.persistence as DataDir).writeMetadata();
}
