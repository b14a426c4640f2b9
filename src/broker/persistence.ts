import type { StreamMessage } from '../generated/danube/DanubeApi.js';
import type { Topic } from './topic.js';

/** What the broker tells its durable store; implemented by the on-disk log in `wal.ts`. */
export interface Persistence {
  topicCreated(topic: Topic): void;
  /** Subscriptions, schema subject or policies of a topic changed. */
  topicChanged(topic: Topic | null): void;
  /** The topic and its files are gone. */
  topicDeleted(topic: Topic): void;
  /** The same topic now lives in a new object (moved to another broker). */
  topicMoved(from: Topic, to: Topic): void;
  append(topic: Topic, offset: number, msg: StreamMessage): void;
  cursorsMoved(topic: Topic): void;
  /** Writes everything pending and fsyncs. */
  flush(): Promise<void>;
  close(): Promise<void>;
}
