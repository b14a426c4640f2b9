import { CheckpointStore } from './store.js';
import type { Clock, ConditionalResult, StoredCheckpoint } from './types.js';

export interface MemoryCheckpointStoreOptions {
  clock?: Clock;
}

/**
 * A checkpoint store in this process's memory, with the same conditions as the DynamoDB one.
 * For unit tests and single-process local runs; everything is lost when the process ends.
 *
 * @example
 * const store = new MemoryCheckpointStore();
 * await runSource(source, { client, store, budgetMs: 10_000 });
 */
export class MemoryCheckpointStore extends CheckpointStore {
  private readonly items = new Map<string, StoredCheckpoint>();

  constructor(options: MemoryCheckpointStoreOptions = {}) {
    super(options.clock);
  }

  protected async _get(key: string): Promise<StoredCheckpoint | undefined> {
    const item = this.items.get(key);
    return item && { ...item };
  }

  protected async _acquire(key: string, owner: string, until: number, now: number): Promise<ConditionalResult> {
    const item = this.items.get(key);
    const free = !item || item.leaseOwner === undefined || (item.leaseUntil ?? 0) <= now || item.leaseOwner === owner;
    if (!free) return this.failed(key);
    return this.put({ ...(item ?? { id: key, version: 0n }), leaseOwner: owner, leaseUntil: until });
  }

  protected async _renew(key: string, owner: string, version: bigint, until: number, now: number): Promise<ConditionalResult> {
    const item = this.held(key, owner, version, now);
    if (!item) return this.failed(key);
    return this.put({ ...item, leaseUntil: until });
  }

  protected async _commit(key: string, owner: string, version: bigint, checkpoint: string, until: number, now: number): Promise<ConditionalResult> {
    const item = this.held(key, owner, version, now);
    if (!item) return this.failed(key);
    return this.put({ ...item, checkpoint, version: item.version + 1n, updatedAt: now, leaseUntil: until });
  }

  protected async _release(key: string, owner: string): Promise<ConditionalResult> {
    const item = this.items.get(key);
    if (!item || item.leaseOwner !== owner) return this.failed(key);
    const { leaseOwner: _owner, leaseUntil: _until, ...rest } = item;
    return this.put(rest);
  }

  protected async _overwrite(key: string, checkpoint: string | undefined, force: boolean, now: number): Promise<ConditionalResult> {
    const item = this.items.get(key);
    const live = item?.leaseOwner !== undefined && (item.leaseUntil ?? 0) > now;
    if (live && !force) return this.failed(key);
    const { checkpoint: _old, ...rest } = item ?? { id: key, version: 0n };
    const next: StoredCheckpoint = { ...rest, version: rest.version + 1n, updatedAt: now };
    if (checkpoint !== undefined) next.checkpoint = checkpoint;
    return this.put(next);
  }

  private held(key: string, owner: string, version: bigint, now: number): StoredCheckpoint | undefined {
    const item = this.items.get(key);
    if (!item || item.leaseOwner !== owner || (item.leaseUntil ?? 0) <= now || item.version !== version) return undefined;
    return item;
  }

  private put(item: StoredCheckpoint): ConditionalResult {
    this.items.set(item.id, item);
    return { ok: true, item: { ...item } };
  }

  private failed(key: string): ConditionalResult {
    const item = this.items.get(key);
    return { ok: false, found: item && { ...item } };
  }
}
