import { closeSync, fsync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { StreamMessage } from '../generated/danube/DanubeApi.js';
import { ReliableDispatcher } from './dispatch/reliable.js';
import type { Persistence } from './persistence.js';
import type { SubscriptionPolicy } from './options.js';
import type { RbacSnapshot } from './rbac.js';
import type { SubjectRecord } from './schema-registry.js';
import type { BrokerState } from './state.js';
import type { SubscriptionKind } from './subscription.js';
import type { Topic, ValidationPolicy } from './topic.js';

// On-disk layout of `dataDir`:
//   metadata.json                 namespaces, topics, subscriptions, policies, schemas, roles and bindings (atomic rewrite)
//   topics/<topic>/log            append-only records: u32 length (LE) + StreamMessage bytes (offset inside)
//   topics/<topic>/cursors.json   { next, cursors: { <subscription>: <first unacked offset> } }

export interface TopicMeta {
  name: string;
  reliable: boolean;
  owner: number;
  schemaSubject?: string;
  validationPolicy: ValidationPolicy;
  enablePayloadValidation: boolean;
  subscriptions: Array<{ name: string; kind: SubscriptionKind }>;
}

export interface Metadata {
  version: 1;
  namespaces: string[];
  policies: Array<[string, Partial<SubscriptionPolicy>]>;
  schemas: Array<Omit<SubjectRecord, 'id'> & { id: string }>;
  topics: TopicMeta[];
  /** Namespaces' `max_message_size` (absent in files written before it existed). */
  namespaceLimits?: Array<[string, number]>;
  /** RBAC roles and bindings (absent in files written before it existed). */
  security?: RbacSnapshot;
}

interface TopicFile {
  fd: number;
  chunks: Buffer[];
  synced: boolean;
  cursorsDirty: boolean;
  dir: string;
}

export const topicDir = (root: string, name: string): string => join(root, 'topics', encodeURIComponent(name));

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
export class DataDir implements Persistence {
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

  topicDeleted(topic: Topic): void {
    const f = this.files.get(topic);
    if (f) {
      closeSync(f.fd);
      this.files.delete(topic);
    }
    rmSync(topicDir(this.root, topic.name), { recursive: true, force: true });
    this.writeMetadata();
  }

  topicMoved(from: Topic, to: Topic): void {
    const f = this.files.get(from);
    if (f) {
      this.files.delete(from);
      this.files.set(to, f);
      f.cursorsDirty = true;
    }
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
      namespaceLimits: [...s.namespaceLimits],
      security: s.rbac.snapshot(),
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
