// What the console server needs from whatever it shows: a local pipeline (`npm start`) or a relay
// and broker running elsewhere. Each capability is optional; the page offers what is there.
import type { DeadLetterTopic } from '../dlq/types.js';
import type { CheckpointView, ConsoleSnapshot, PeekedMessage, TopicView } from './types.js';

/** The part of a snapshot a backend fills; the server adds the mode, the graph and the actions. */
export type BackendSnapshot = Omit<ConsoleSnapshot, 'mode' | 'readOnly' | 'actions' | 'graph' | 'deadLettersBrowsable'>;

/** Reading and changing sources' checkpoints, with the CLI's lease rules. */
export interface CheckpointAccess {
  get(source: string): Promise<CheckpointView>;
  /** Refused with `LeaseHeldError` while a run holds a live lease, unless `force`. */
  set(source: string, checkpoint: unknown, force: boolean): Promise<CheckpointView>;
  reset(source: string, force: boolean): Promise<CheckpointView>;
}

/** Topics of the broker, and their recent messages. */
export interface TopicAccess {
  list(): Promise<TopicView[]>;
  /** The newest messages seen on a topic (all its partitions), newest first. */
  peek(topic: string, limit: number): Promise<PeekedMessage[]>;
}

/**
 * Opens the dead-letter tooling on a topic. Injected, so the console depends on the
 * `DeadLetterTopic` contract only; the console closes what it opened when it stops.
 */
export type DeadLetterOpener = (topic: string) => DeadLetterTopic | Promise<DeadLetterTopic>;

export interface ConsoleBackend {
  readonly mode: 'dev' | 'attach';
  snapshot(): Promise<BackendSnapshot>;
  /** Runs a source now (function key or source name); resolves when the run ended. */
  runNow?(source: string): Promise<unknown>;
  checkpoints?: CheckpointAccess;
  topics?: TopicAccess;
  deadLetters?: DeadLetterOpener;
  close(): Promise<void>;
}
