import * as z from 'zod';
import { parseWithSchema } from '../../core/options.js';
import { parseJsonPath } from './json-path.js';

export const DEFAULT_HTTP_POLLER_ITEMS_PATH = '$';
export const DEFAULT_HTTP_POLLER_TIMEOUT_MS = 10_000;
export const DEFAULT_HTTP_POLLER_MAX_SEEN = 1000;

const jsonPath = z.string().refine((p) => {
  try {
    parseJsonPath(p);
    return true;
  } catch {
    return false;
  }
}, 'not a JSON path such as $.data.items');

const CursorSchema = z.discriminatedUnion('type', [
  // One request per run, no paging (a feed that always answers "the latest").
  z.strictObject({ type: z.literal('none') }),
  // Follow `Link: <...>; rel="next"`.
  z.strictObject({ type: z.literal('link') }),
  // A field of the response body: the next URL, or (with `param`) a token for a query parameter.
  z.strictObject({ type: z.literal('field'), path: jsonPath, param: z.string().min(1).optional() }),
  // The field of the last item becomes the query parameter of the next request (e.g. `since`).
  z.strictObject({ type: z.literal('item'), field: jsonPath, param: z.string().min(1), initial: z.string().optional() }),
]);

const HttpPollerSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'letters, digits, ".", "_" or "-"'),
  topic: z.string().regex(/^\/[^/]+\/[^/]+$/, 'a Danube topic such as /default/events'),
  url: z.url(),
  headers: z.record(z.string(), z.string()).default({}),
  query: z.record(z.string(), z.string()).default({}),
  itemsPath: jsonPath.default(DEFAULT_HTTP_POLLER_ITEMS_PATH),
  keyField: jsonPath.optional(),
  idField: jsonPath.optional(),
  cursor: CursorSchema.default({ type: 'none' }),
  etag: z.boolean().default(true),
  requestTimeoutMs: z.number().int().min(1).default(DEFAULT_HTTP_POLLER_TIMEOUT_MS),
  maxSeenIds: z.number().int().min(0).default(DEFAULT_HTTP_POLLER_MAX_SEEN),
  attributes: z.record(z.string(), z.string()).default({}),
  partitions: z.number().int().min(1).optional(),
  /** Keep order per key on the topic (`key`) or pipeline sends (`none`). */
  ordering: z.enum(['key', 'partition', 'none']).default('key'),
});

/** The HTTP API poller source configuration (see docs/connectors/http-poller.md). */
export type HttpPollerOptions = z.input<typeof HttpPollerSchema>;
export type HttpPollerConfig = z.output<typeof HttpPollerSchema>;
export type HttpPollerCursor = HttpPollerConfig['cursor'];

/**
 * Fills defaults and rejects unknown keys, naming them.
 *
 * @example
 * const config = parseHttpPollerOptions({ name: 'tickets', topic: '/default/tickets',
 *   url: 'https://api.example/tickets', itemsPath: '$.data', idField: 'id',
 *   cursor: { type: 'field', path: '$.meta.next_cursor', param: 'cursor' },
 *   headers: { authorization: 'Bearer …' } });
 */
export function parseHttpPollerOptions(options: HttpPollerOptions): HttpPollerConfig {
  return parseWithSchema(HttpPollerSchema, options, 'http-poller options');
}
