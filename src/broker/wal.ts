import type { BrokerState } from './state.js';

export async function openDataDir(_state: BrokerState, _dir: string): Promise<void> {}
