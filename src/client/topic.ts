import { InvalidTopicError } from './errors.js';

// Danube accepts exactly `/namespace/topic`, each part Unicode letters, digits, `_` or `-`
// (broker_service.rs::validate_topic_format). We also insist on the leading slash, which the
// broker's check does not, because every Danube client sends it.
const PART = /^[\p{L}\p{N}_-]+$/u;
const PARTITION_SUFFIX = /-part-(\d+)$/;

/**
 * Throws `InvalidTopicError` unless `topic` is a name a Danube broker accepts.
 *
 * @example
 * validateTopic('/default/orders');   // ok
 * validateTopic('default.orders');    // throws InvalidTopicError
 */
export function validateTopic(topic: unknown): string {
  if (typeof topic !== 'string' || topic.length === 0) {
    throw new InvalidTopicError(`invalid topic ${JSON.stringify(topic)}: expected "/namespace/topic"`, { retryable: false });
  }
  const parts = topic.split('/');
  if (parts.length !== 3 || parts[0] !== '' || !PART.test(parts[1]!) || !PART.test(parts[2]!)) {
    throw new InvalidTopicError(`invalid topic "${topic}": expected "/namespace/topic" where each part has only letters, digits, "_" or "-"`, {
      topic,
      retryable: false,
    });
  }
  return topic;
}

/** Name of partition `index` of `topic`, as Danube names it: `/ns/t-part-<index>`. */
export function partitionTopic(topic: string, index: number): string {
  return `${topic}-part-${index}`;
}

/** The partition index in a `-part-N` topic name, or `undefined` for a plain topic. */
export function partitionIndex(topic: string): number | undefined {
  const match = PARTITION_SUFFIX.exec(topic);
  return match ? Number(match[1]) : undefined;
}

/** The topic a partition belongs to (`/ns/t-part-3` → `/ns/t`); a plain topic maps to itself. */
export function logicalTopic(topic: string): string {
  return topic.replace(PARTITION_SUFFIX, '');
}

/**
 * Keeps only the partitions of `topic` from a TopicPartitions answer, sorted by index.
 * The broker answers with a prefix scan, so `/ns/foo` may also list `/ns/foobar-part-0`; its
 * order is lexicographic (`-part-10` before `-part-2`).
 */
export function partitionsOf(topic: string, listed: readonly string[]): string[] {
  if (listed.includes(topic)) return [topic];
  const prefix = `${topic}-part-`;
  return listed
    .filter((name) => name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length)))
    .sort((a, b) => Number(a.slice(prefix.length)) - Number(b.slice(prefix.length)));
}
