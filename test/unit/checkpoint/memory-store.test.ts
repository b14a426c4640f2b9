import { MemoryCheckpointStore } from '../../../src/checkpoint/index.js';
import { describeStoreContract } from './store-contract.js';

describeStoreContract('memory', () => {
  const clock = { now: 1_763_800_000_000 };
  return { store: new MemoryCheckpointStore({ clock: () => clock.now }), clock };
});
