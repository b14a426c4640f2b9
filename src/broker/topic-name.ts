// Topic names as the real broker checks them (broker_service.rs::validate_topic_format).

const PART_CHARS = /^[\p{L}\p{N}_-]+$/u;

/** `topic.split('/')` must give exactly 3 parts; the 2nd and 3rd only alphanumerics, `_`, `-`. */
export function isValidTopicName(topic: string): boolean {
  const parts = topic.split('/');
  if (parts.length !== 3) return false;
  // The real check accepts an empty first part only (the leading slash); it tests
  // every part, and an empty part passes its character check.
  return parts.every((p) => p === '' || PART_CHARS.test(p));
}

export function invalidTopicMessage(topic: string): string {
  return `The topic: ${topic} has an invalid format, should be: /namespace_name/topic_name`;
}

export function namespaceOf(topic: string): string {
  return topic.split('/')[1] ?? '';
}

/** Partition i of `/ns/t` is the ordinary topic `/ns/t-part-i`. */
export function partitionName(topic: string, index: number): string {
  return `${topic}-part-${index}`;
}

/** `/ns/t-part-3` → `/ns/t`; undefined for a name that is not a partition. */
export function partitionBase(topic: string): string | undefined {
  const at = topic.lastIndexOf('-part-');
  return at > 0 ? topic.slice(0, at) : undefined;
}
