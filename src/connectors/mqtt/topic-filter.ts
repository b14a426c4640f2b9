/**
 * MQTT topic filter matching (MQTT 3.1.1 §4.7): `+` matches one level, a trailing `#` matches
 * the parent level and everything below. Topics starting with `$` (e.g. `$SYS/...`) are not
 * matched by filters starting with a wildcard.
 *
 * @example
 * matchesTopicFilter('sensors/+/temp', 'sensors/kitchen/temp'); // true
 * matchesTopicFilter('sensors/#', 'sensors');                   // true
 */
export function matchesTopicFilter(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  if (topic.startsWith('$') && (f[0] === '+' || f[0] === '#')) return false;
  for (let i = 0; i < f.length; i++) {
    const part = f[i]!;
    if (part === '#') return i === f.length - 1;
    if (i >= t.length) return false;
    if (part !== '+' && part !== t[i]) return false;
  }
  return f.length === t.length;
}

/** Why a filter is not a valid MQTT topic filter, or undefined when it is. */
export function topicFilterProblem(filter: string): string | undefined {
  if (filter.length === 0) return 'empty filter';
  const parts = filter.split('/');
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (p.includes('#') && (p !== '#' || i !== parts.length - 1)) return '"#" must be a whole last level';
    if (p.includes('+') && p !== '+') return '"+" must be a whole level';
  }
  return undefined;
}
