import { FatalError, RetryableError } from '../../core/errors.js';
import { silentLogger, type Logger } from '../../core/logger.js';
import { SourceRecord } from '../../core/source-record.js';
import { RECORD_ID_ATTRIBUTE } from '../../source/record-id.js';
import { getAtPath, parseJsonPath, scalarToString, type JsonPath } from './json-path.js';
import { nextLink, parseRetryAfter } from './http-headers.js';
import { parseHttpPollerOptions, type HttpPollerConfig, type HttpPollerOptions } from './options.js';

/**
 * Where the poller stands, stored by the source runner between runs. It always names the
 * request to make next; `seen` holds ids of items already published from the last page so a
 * re-read of that page (new items appended, ETag changed) publishes only what is new.
 */
export interface HttpPollerCheckpoint {
  /** The next URL to GET (link and URL-field cursors). */
  next?: string;
  /** The next value of the cursor query parameter. */
  cursor?: string;
  /** The ETag of the response to that same request, sent as `If-None-Match`. */
  etag?: string;
  seen?: string[];
  /** Epoch ms before which the API asked not to be called (429/503 `Retry-After`). */
  notBefore?: number;
}

export interface HttpPollResult {
  records: SourceRecord[];
  checkpoint: HttpPollerCheckpoint;
  /** True when this run should stop: last page reached, not modified, or throttled. */
  done: boolean;
}

export interface HttpPollerDeps {
  fetch?: typeof fetch;
  now?: () => number;
  logger?: Logger;
}

/**
 * Items with an id (from `idField`) are published with the record id `<source name>:<item id>`,
 * so a sink can drop the duplicates an at-least-once run may publish.
 */
export const HTTP_POLLER_ID_ATTRIBUTE = RECORD_ID_ATTRIBUTE;

/**
 * Reads one page of a JSON API per `poll()` call. Status handling: 304 ends the run with
 * nothing new; 429/503 end the run and record `Retry-After` (the next run waits for it);
 * 401/403 and other 4xx are fatal (configuration); 5xx, timeouts, refused connections and a
 * body that is not the expected JSON are retryable (the run ends, the checkpoint stays).
 *
 * @example
 * const poller = new HttpPoller({ name: 'tickets', topic: '/default/tickets', url, idField: 'id' });
 * const { records, checkpoint, done } = await poller.poll(undefined);
 */
export class HttpPoller {
  readonly config: HttpPollerConfig;
  readonly #fetch: typeof fetch;
  readonly #now: () => number;
  readonly #logger: Logger;
  readonly #items: JsonPath;
  readonly #key?: JsonPath;
  readonly #id?: JsonPath;
  readonly #cursorPath?: JsonPath;

  constructor(options: HttpPollerOptions | HttpPollerConfig, deps: HttpPollerDeps = {}) {
    this.config = parseHttpPollerOptions(options);
    this.#fetch = deps.fetch ?? fetch;
    this.#now = deps.now ?? Date.now;
    this.#logger = deps.logger ?? silentLogger;
    this.#items = parseJsonPath(this.config.itemsPath);
    if (this.config.keyField) this.#key = parseJsonPath(this.config.keyField);
    if (this.config.idField) this.#id = parseJsonPath(this.config.idField);
    const cursor = this.config.cursor;
    if (cursor.type === 'field') this.#cursorPath = parseJsonPath(cursor.path);
    if (cursor.type === 'item') this.#cursorPath = parseJsonPath(cursor.field);
  }

  /** The URL the checkpoint points at. */
  requestUrl(checkpoint: HttpPollerCheckpoint): string {
    const cursor = this.config.cursor;
    const url = new URL(checkpoint.next ?? this.config.url);
    if (!checkpoint.next) for (const [k, v] of Object.entries(this.config.query)) url.searchParams.set(k, v);
    if (cursor.type === 'item' || (cursor.type === 'field' && cursor.param)) {
      const value = checkpoint.cursor ?? (cursor.type === 'item' ? cursor.initial : undefined);
      if (value !== undefined) url.searchParams.set(cursor.param!, value);
    }
    return url.toString();
  }

  /** Fetches the page the checkpoint names and returns its items as records. */
  async poll(checkpoint: HttpPollerCheckpoint | undefined, signal?: AbortSignal, logger: Logger = this.#logger): Promise<HttpPollResult> {
    const cp: HttpPollerCheckpoint = checkpoint ?? {};
    const now = this.#now();
    if (cp.notBefore !== undefined && cp.notBefore > now) {
      logger.info({ waitMs: cp.notBefore - now }, 'http-poller: API asked to wait (Retry-After); skipping this run');
      return { records: [], checkpoint: cp, done: true };
    }
    const url = this.requestUrl(cp);
    const headers = new Headers(this.config.headers);
    headers.set('accept', headers.get('accept') ?? 'application/json');
    if (this.config.etag && cp.etag) headers.set('if-none-match', cp.etag);
    const timeout = AbortSignal.timeout(this.config.requestTimeoutMs);
    let res: Response;
    try {
      res = await this.#fetch(url, { headers, signal: signal ? AbortSignal.any([signal, timeout]) : timeout, redirect: 'follow' });
    } catch (err) {
      throw new RetryableError(`http-poller: GET ${redact(url)} failed: ${(err as Error).message}`, { cause: err });
    }
    const base: HttpPollerCheckpoint = { ...cp };
    delete base.notBefore;
    if (res.status === 304) {
      await res.body?.cancel();
      return { records: [], checkpoint: base, done: true };
    }
    if (res.status === 429 || res.status === 503) {
      await res.body?.cancel();
      const waitMs = parseRetryAfter(res.headers.get('retry-after'), now) ?? 0;
      logger.warn({ status: res.status, waitMs }, 'http-poller: throttled; run stops, checkpoint kept');
      return { records: [], checkpoint: waitMs > 0 ? { ...base, notBefore: now + waitMs } : base, done: true };
    }
    if (!res.ok) {
      const text = (await res.text().catch(() => '')).slice(0, 200);
      const message = `http-poller: GET ${redact(url)} answered ${res.status}: ${text}`;
      if (res.status >= 500 || res.status === 408) throw new RetryableError(message);
      throw new FatalError(message);
    }
    let body: unknown;
    try {
      body = await res.json();
    } catch (err) {
      throw new RetryableError(`http-poller: GET ${redact(url)} answered a body that is not JSON`, { cause: err });
    }
    const items = getAtPath(body, this.#items);
    if (!Array.isArray(items)) {
      throw new RetryableError(`http-poller: ${this.config.itemsPath} is not an array in the response of ${redact(url)}`);
    }
    return this.#result(cp, base, url, res, body, items);
  }

  #result(cp: HttpPollerCheckpoint, base: HttpPollerCheckpoint, url: string, res: Response, body: unknown, items: unknown[]): HttpPollResult {
    const seen = new Set(cp.seen ?? []);
    const records: SourceRecord[] = [];
    const ids: string[] = [];
    for (const item of items) {
      const id = this.#id ? scalarToString(getAtPath(item, this.#id)) : undefined;
      if (id !== undefined) {
        ids.push(id);
        if (seen.has(id)) continue;
      }
      const key = this.#key ? scalarToString(getAtPath(item, this.#key)) : undefined;
      const attributes: Record<string, string> = { source: 'http-poller', ...this.config.attributes };
      if (id !== undefined) attributes[HTTP_POLLER_ID_ATTRIBUTE] = `${this.config.name}:${id}`;
      records.push(SourceRecord.fromJson(item, key === undefined ? { attributes } : { attributes, key }));
    }
    const next = this.#next(cp, url, res, body, items);
    const max = this.config.maxSeenIds;
    if (next) {
      // Moving on: keep this page's ids, so an API whose cursor is inclusive does not repeat them.
      return { records, checkpoint: { ...next, seen: ids.slice(-max) }, done: false };
    }
    // Last page: stay on it, remember its ETag and everything published from it.
    const checkpoint: HttpPollerCheckpoint = { ...base, seen: [...new Set([...seen, ...ids])].slice(-max) };
    const etag = res.headers.get('etag');
    if (this.config.etag && etag) checkpoint.etag = etag;
    else delete checkpoint.etag;
    return { records, checkpoint, done: true };
  }

  /** The checkpoint of the following page, or undefined when this is the last one. */
  #next(cp: HttpPollerCheckpoint, url: string, res: Response, body: unknown, items: unknown[]): HttpPollerCheckpoint | undefined {
    const cursor = this.config.cursor;
    switch (cursor.type) {
      case 'none':
        return undefined;
      case 'link': {
        const next = nextLink(res.headers.get('link'), url);
        return next && next !== url ? { next } : undefined;
      }
      case 'field': {
        const value = scalarToString(getAtPath(body, this.#cursorPath!));
        if (value === undefined || value === '') return undefined;
        if (cursor.param) return value === cp.cursor ? undefined : withNext(cp, { cursor: value });
        const next = new URL(value, url).toString();
        return next === url ? undefined : { next };
      }
      case 'item': {
        if (items.length === 0) return undefined;
        const value = scalarToString(getAtPath(items[items.length - 1], this.#cursorPath!));
        return value === undefined || value === cp.cursor ? undefined : withNext(cp, { cursor: value });
      }
    }
  }
}

function withNext(cp: HttpPollerCheckpoint, change: HttpPollerCheckpoint): HttpPollerCheckpoint {
  const out: HttpPollerCheckpoint = { ...change };
  if (cp.next) out.next = cp.next;
  return out;
}

// Query strings may carry API keys; logs and errors show the path only.
function redact(url: string): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}${u.search ? '?…' : ''}`;
}
