// Checkpoints from the page, with the rules of `danube-connect checkpoint`: set and reset are
// refused while a run holds a live lease, unless forced (that run then cannot commit).
import type { CheckpointStore } from '../checkpoint/store.js';
import type { CheckpointState } from '../checkpoint/types.js';
import type { CheckpointAccess } from './backend.js';
import { HttpError } from './http.js';
import type { CheckpointView } from './types.js';

/** What the page shows of a checkpoint row. */
export function checkpointView(key: string, state: CheckpointState | undefined, now = Date.now()): CheckpointView {
  if (!state) return { key, stored: false, checkpoint: null, version: '0' };
  const view: CheckpointView = { key, stored: true, checkpoint: state.checkpoint ?? null, version: state.version.toString() };
  if (state.updatedAt !== undefined) view.updatedAt = state.updatedAt;
  if (state.leaseOwner !== undefined) view.lease = { owner: state.leaseOwner, until: state.leaseUntil ?? 0, live: (state.leaseUntil ?? 0) > now };
  return view;
}

/**
 * Checkpoint access on a store. `keyOf` turns what the page names (a function key or a source
 * name) into the checkpoint key, or undefined when it names no known source.
 *
 * @example
 * const access = storeCheckpointAccess(() => new DynamoDbCheckpointStore({ tableName }), (name) => `shop/${name}`);
 * await access.set('orders', { seq: 0 }, false); // LeaseHeldError while a run holds the lease
 */
export function storeCheckpointAccess(open: () => CheckpointStore & { close?(): void }, keyOf: (name: string) => string | undefined): CheckpointAccess {
  const withStore = async <T>(name: string, use: (store: CheckpointStore, key: string) => Promise<T>): Promise<T> => {
    const key = keyOf(name);
    if (!key)
      throw new HttpError(404, `no source "${name}" whose checkpoint the console knows (a source's name is known once its module exports it or it ran once)`);
    const store = open();
    try {
      return await use(store, key);
    } finally {
      store.close?.();
    }
  };
  return {
    get: (name) => withStore(name, async (store, key) => checkpointView(key, await store.get(key))),
    set: (name, checkpoint, force) => withStore(name, async (store, key) => checkpointView(key, await store.set(key, checkpoint, { force }))),
    reset: (name, force) => withStore(name, async (store, key) => checkpointView(key, await store.reset(key, { force }))),
  };
}
