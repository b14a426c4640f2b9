/**
 * A small JSON path: `$`, `$.data.items`, `data.items`, `items[0].id`, `meta["next-page"]`.
 * Enough to point at the items of an API response or a field of an item; no filters or wildcards,
 * so a typo fails loudly at start-up instead of silently matching nothing.
 */
export type JsonPath = readonly (string | number)[];

const SEGMENT = /\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\[(?:"([^"]*)"|'([^']*)')\]/y;

/**
 * Parses a path expression into segments; throws a `TypeError` naming the bad position.
 *
 * @example
 * parseJsonPath('$.data.items[0].id'); // ['data', 'items', 0, 'id']
 */
export function parseJsonPath(expression: string): JsonPath {
  let text = expression.trim();
  if (text === '' || text === '$') return [];
  if (text.startsWith('$')) text = text.slice(1);
  else if (!text.startsWith('[') && !text.startsWith('.')) text = `.${text}`;
  const out: (string | number)[] = [];
  SEGMENT.lastIndex = 0;
  while (SEGMENT.lastIndex < text.length) {
    const at = SEGMENT.lastIndex;
    const m = SEGMENT.exec(text);
    if (!m) throw new TypeError(`bad JSON path "${expression}" at position ${at}`);
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else out.push(m[3] ?? m[4] ?? '');
  }
  return out;
}

/**
 * The value at `path` in `value`, or `undefined` when any step is missing.
 *
 * @example
 * getAtPath({ a: [{ b: 1 }] }, parseJsonPath('a[0].b')); // 1
 */
export function getAtPath(value: unknown, path: JsonPath): unknown {
  let current = value;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

/** A scalar as a string (for keys, ids, cursors); objects, arrays and null give `undefined`. */
export function scalarToString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  return undefined;
}
