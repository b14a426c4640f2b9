import { fromUtf8 } from '../../core/bytes.js';
import { classifyError } from '../../core/classify.js';
import { deadLetterAttributes, deadLetterOrigin, deadLetterReasonOf, type DeadLetterEnvelope, type DeadLetterReason } from '../../core/dead-letter.js';
import { silentLogger, type Logger } from '../../core/logger.js';
import { getAtPath, parseJsonPath, scalarToString, type JsonPath } from '../http-poller/json-path.js';
import { authenticate } from './auth.js';
import { parseWebhookOptions, type WebhookConfig, type WebhookOptions, type WebhookRoute } from './options.js';
import { tracingRegistered } from '../../core/tracing.js';
import { tracedRequest } from './tracing.js';

/** A request as every runtime adapter hands it over: the raw body, already size-checked. */
export interface WebhookRequest {
  method: string;
  /** The request path without query string. */
  path: string;
  headers: Headers;
  /** The raw body, or `'too-large'` when the adapter stopped reading at `maxBodyBytes`. */
  body: Uint8Array | 'too-large';
  sourceIp?: string;
}

export interface WebhookResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Publishes one message and resolves only when the broker accepted it. */
export interface WebhookPublisher {
  publish(topic: string, payload: Uint8Array, options: { attributes: Record<string, string>; key?: string; partitions?: number }): Promise<void>;
}

export interface WebhookReceiverDeps {
  publisher: WebhookPublisher;
  logger?: Logger;
  now?: () => number;
}

/**
 * The runtime-neutral core of the webhook source: route by path, authenticate, check size and
 * JSON, publish, answer. 202 means the broker accepted the message; 503 with `Retry-After`
 * means it did not and the caller should send again; 4xx carry a reason in `{ "error": … }`.
 *
 * @example
 * const receiver = new WebhookReceiver(options, { publisher: producerPublisher(client) });
 * const res = await receiver.handle({ method: 'POST', path: '/github', headers, body });
 */
export class WebhookReceiver {
  readonly config: WebhookConfig;
  readonly #publisher: WebhookPublisher;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #routes = new Map<string, WebhookRoute>();
  readonly #keyPaths = new Map<WebhookRoute, JsonPath>();

  constructor(options: WebhookOptions | WebhookConfig, deps: WebhookReceiverDeps) {
    this.config = parseWebhookOptions(options);
    this.#publisher = deps.publisher;
    this.#logger = deps.logger ?? silentLogger;
    this.#now = deps.now ?? Date.now;
    for (const route of this.config.routes) {
      this.#routes.set(normalise(route.path), route);
      if (route.keyField) this.#keyPaths.set(route, parseJsonPath(route.keyField));
    }
  }

  /** The route for a request path, after stripping `basePath` (e.g. an API Gateway stage). */
  route(path: string): WebhookRoute | undefined {
    let p = path;
    if (this.config.basePath && p.startsWith(this.config.basePath)) p = p.slice(this.config.basePath.length) || '/';
    return this.#routes.get(normalise(p));
  }

  async handle(req: WebhookRequest): Promise<WebhookResponse> {
    const route = this.route(req.path);
    if (!route) return reply(404, { error: `no webhook route for ${req.path}` });
    return tracingRegistered() ? tracedRequest(req, route, () => this.#handle(req, route)) : this.#handle(req, route);
  }

  async #handle(req: WebhookRequest, route: WebhookRoute): Promise<WebhookResponse> {
    if (req.method !== 'POST' && req.method !== 'PUT') return reply(405, { error: 'use POST' }, { allow: 'POST, PUT' });
    if (req.body === 'too-large' || req.body.length > this.config.maxBodyBytes) {
      return reply(413, { error: `body larger than ${this.config.maxBodyBytes} bytes` });
    }
    const body = req.body;
    const auth = await authenticate(route.auth ?? this.config.auth, req.headers, body, this.#now());
    if (!auth.ok) {
      this.#logger.warn({ path: req.path, reason: auth.reason, ip: req.sourceIp }, 'webhook: request refused');
      return reply(401, { error: auth.reason });
    }
    let parsed: unknown;
    const contentType = req.headers.get('content-type') ?? '';
    const attributes = this.#attributes(req, route, contentType, auth.subject);
    if (this.config.requireJson) {
      if (contentType && !/\bjson\b/i.test(contentType)) {
        return this.#refuse(route, body, attributes, 415, 'content-type must be application/json', 'InvalidRecordError');
      }
      try {
        parsed = JSON.parse(fromUtf8(body));
      } catch (err) {
        return this.#refuse(route, body, attributes, 400, 'malformed JSON body', (err as Error).name);
      }
    }
    let key: string | undefined;
    if (route.keyHeader) key = req.headers.get(route.keyHeader) ?? undefined;
    const keyPath = this.#keyPaths.get(route);
    if (key === undefined && keyPath && parsed !== undefined) key = scalarToString(getAtPath(parsed, keyPath));
    try {
      const opts: { attributes: Record<string, string>; key?: string; partitions?: number } = { attributes };
      if (key !== undefined) opts.key = key;
      if (route.partitions !== undefined) opts.partitions = route.partitions;
      await this.#publisher.publish(route.topic, body, opts);
    } catch (err) {
      const kind = classifyError(err).kind;
      if (kind === 'invalid' && this.config.deadLetterTopic) {
        return this.#refuse(route, body, attributes, 422, (err as Error).message, (err as Error).name, deadLetterReasonOf(err));
      }
      // Nothing is acknowledged that was not stored: the sender's own retry delivers it later.
      this.#logger.error({ err, topic: route.topic }, 'webhook: publish failed; answering 503');
      return reply(503, { error: 'message not stored, try again later' }, { 'retry-after': String(this.config.retryAfterSec) });
    }
    return reply(202, { status: 'accepted', topic: route.topic });
  }

  #attributes(req: WebhookRequest, route: WebhookRoute, contentType: string, subject: string | undefined): Record<string, string> {
    const attributes: Record<string, string> = {
      ...this.config.attributes,
      source: 'webhook',
      'webhook.path': route.path,
      'webhook.received-at': String(this.#now()),
      'content-type': contentType || 'application/json',
    };
    if (subject) attributes['webhook.subject'] = subject;
    if (req.sourceIp) attributes['webhook.source-ip'] = req.sourceIp;
    for (const name of this.config.forwardHeaders) {
      const v = req.headers.get(name);
      if (v !== null) attributes[`webhook.header.${name}`] = v;
    }
    return attributes;
  }

  /**
   * An authenticated request that can never become a record: stored on the dead-letter topic
   * (answered 202) when there is one, else refused with `status`. If storing it fails, the sender
   * is asked to retry, as for any request not stored.
   */
  async #refuse(
    route: WebhookRoute,
    body: Uint8Array,
    attributes: Record<string, string>,
    status: number,
    error: string,
    errorClass: string,
    reason: DeadLetterReason = 'invalid-record',
  ): Promise<WebhookResponse> {
    const dlq = this.config.deadLetterTopic;
    if (!dlq) return reply(status, { error });
    const now = this.#now();
    const envelope: DeadLetterEnvelope = {
      reason,
      error,
      errorClass,
      origin: deadLetterOrigin('webhook', route.path),
      attempts: 1,
      firstFailureAt: now,
      lastFailureAt: now,
      originalTopic: route.topic,
    };
    try {
      // A body the broker refused as too large would be refused again: the envelope goes alone.
      await this.#publisher.publish(dlq, reason === 'too-large' ? new Uint8Array(0) : body, { attributes: deadLetterAttributes(attributes, envelope) });
    } catch (err) {
      this.#logger.error({ err, topic: dlq }, 'webhook: dead-letter publish failed; answering 503');
      return reply(503, { error: 'message not stored, try again later' }, { 'retry-after': String(this.config.retryAfterSec) });
    }
    this.#logger.warn({ path: route.path, reason, error, deadLetterTopic: dlq }, 'webhook: request dead-lettered');
    return reply(202, { status: 'dead-lettered', reason, error, topic: dlq });
  }
}

function normalise(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

function reply(status: number, body: unknown, headers: Record<string, string> = {}): WebhookResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}
