// The console's JSON API: what the page reads, and the actions it may take with the token.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LeaseHeldError } from '../checkpoint/errors.js';
import { DEAD_LETTER_REASONS, type DeadLetterReason } from '../core/dead-letter.js';
import type { DeadLetterFilter, DeadLetterRecord, DeadLetterTopic } from '../dlq/types.js';
import type { ConsoleBackend } from './backend.js';
import { HttpError, hasToken, readJsonBody, sendJson } from './http.js';
import type { RedriveJobs } from './jobs.js';
import { redact, redactAttributes } from './redact.js';
import type { ConsoleActions, ConsoleSnapshot, HistorySample } from './types.js';

/** What the API handlers share with the server. */
export interface ApiContext {
  backend: ConsoleBackend;
  token: string;
  readOnly: boolean;
  actions: ConsoleActions;
  latest(): ConsoleSnapshot | undefined;
  history(since: number): HistorySample[];
  jobs: RedriveJobs;
  deadLetterTopic(topic: string): Promise<DeadLetterTopic>;
}

const MAX_LIST = 500;

/** Refuses an action unless this console allows it and the request carries the token. */
function authorize(req: IncomingMessage, ctx: ApiContext, allowed: boolean, what: string): void {
  if (ctx.readOnly) throw new HttpError(403, `read-only console: ${what} is not allowed`);
  if (!allowed) throw new HttpError(404, `${what} is not available here`);
  if (!hasToken(req, ctx.token)) throw new HttpError(401, `${what} needs the console token (printed in the terminal where the console started)`);
}

function deadLetterView(r: DeadLetterRecord) {
  return {
    id: r.id,
    topic: r.topic,
    offset: r.offset.toString(),
    publishTime: r.publishTime,
    ...(r.key !== undefined ? { key: r.key } : {}),
    envelope: { ...r.envelope, error: redact(r.envelope.error) },
    attributes: redactAttributes(r.attributes),
    preview: r.preview,
  };
}

function filterFrom(params: URLSearchParams | Record<string, unknown>): DeadLetterFilter {
  const get = (k: string): unknown => (params instanceof URLSearchParams ? (params.get(k) ?? undefined) : params[k]);
  const filter: DeadLetterFilter = {};
  const reasons = get('reasons');
  const list = typeof reasons === 'string' ? reasons.split(',').filter(Boolean) : Array.isArray(reasons) ? reasons.map(String) : [];
  for (const r of list) if (!(DEAD_LETTER_REASONS as readonly string[]).includes(r)) throw new HttpError(400, `unknown reason "${r}"`);
  if (list.length) filter.reasons = list as DeadLetterReason[];
  const origin = get('origin');
  if (typeof origin === 'string' && origin) filter.origin = origin;
  const ids = get('ids');
  if (Array.isArray(ids)) filter.ids = ids.map(String);
  return filter;
}

const string = (body: Record<string, unknown>, key: string): string => {
  const v = body[key];
  if (typeof v !== 'string' || !v) throw new HttpError(400, `"${key}" must be a non-empty string`);
  return v;
};

/**
 * Answers an `/api/...` request; false when the path is not part of the API.
 */
export async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL, ctx: ApiContext): Promise<boolean> {
  const method = req.method ?? 'GET';
  const path = url.pathname;
  const { backend } = ctx;
  if (method === 'GET' && path === '/api/session') {
    sendJson(res, 200, { mode: backend.mode, readOnly: ctx.readOnly, actions: ctx.actions, tokenAccepted: hasToken(req, ctx.token) });
    return true;
  }
  if (method === 'GET' && path === '/api/snapshot') {
    sendJson(res, 200, ctx.latest() ?? null);
    return true;
  }
  if (method === 'GET' && path === '/api/history') {
    sendJson(res, 200, ctx.history(Number(url.searchParams.get('since') ?? 0) || 0));
    return true;
  }

  const source = /^\/api\/sources\/([^/]+)\/(checkpoint|checkpoint\/reset|run)$/.exec(path);
  if (source) {
    const name = decodeURIComponent(source[1]!);
    const action = source[2]!;
    if (method === 'GET' && action === 'checkpoint') {
      if (!backend.checkpoints) throw new HttpError(404, 'checkpoints are not available here');
      sendJson(res, 200, await backend.checkpoints.get(name));
      return true;
    }
    if (method !== 'POST') throw new HttpError(405, 'method not allowed');
    if (action === 'run') {
      authorize(req, ctx, ctx.actions.runNow, 'run now');
      await readJsonBody(req);
      sendJson(res, 200, await backend.runNow!(name).catch((err: Error) => Promise.reject(new HttpError(404, redact(err.message)))));
      return true;
    }
    authorize(req, ctx, ctx.actions.checkpoints, action === 'checkpoint' ? 'setting a checkpoint' : 'resetting a checkpoint');
    const body = await readJsonBody(req);
    const force = body.force === true;
    try {
      if (action === 'checkpoint') {
        if (!('checkpoint' in body)) throw new HttpError(400, '"checkpoint" is required (any JSON value)');
        sendJson(res, 200, await backend.checkpoints!.set(name, body.checkpoint, force));
      } else sendJson(res, 200, await backend.checkpoints!.reset(name, force));
    } catch (err) {
      if (err instanceof LeaseHeldError) {
        throw new HttpError(
          409,
          `refused: ${err.message} (a run is in progress). Wait until it ends, or force it (that run will then fail to commit and stop).`,
        );
      }
      throw err;
    }
    return true;
  }

  if (method === 'GET' && path === '/api/topics') {
    if (!backend.topics) throw new HttpError(404, 'topics are not available here (no broker admin API)');
    sendJson(res, 200, await backend.topics.list());
    return true;
  }
  if (method === 'GET' && path === '/api/topics/peek') {
    if (!backend.topics) throw new HttpError(404, 'topics are not available here (no broker admin API)');
    const limit = Math.min(Math.max(1, Number(url.searchParams.get('limit') ?? 20) || 20), 100);
    sendJson(res, 200, await backend.topics.peek(url.searchParams.get('topic') ?? '', limit));
    return true;
  }

  if (method === 'GET' && path === '/api/dead-letters') {
    const dlq = await ctx.deadLetterTopic(url.searchParams.get('topic') ?? '');
    const filter = filterFrom(url.searchParams);
    const limit = Math.min(Math.max(1, Number(url.searchParams.get('limit') ?? 100) || 100), MAX_LIST);
    const summary = await dlq.summary();
    const records = await dlq.list(filter, { limit });
    sendJson(res, 200, { summary, records: records.map(deadLetterView) });
    return true;
  }
  if (method === 'POST' && path === '/api/dead-letters/redrive') {
    authorize(req, ctx, ctx.actions.redrive, 'redrive');
    const body = await readJsonBody(req);
    const dlq = await ctx.deadLetterTopic(string(body, 'topic'));
    const filter = filterFrom(body);
    if (!filter.ids?.length && !filter.reasons?.length && !filter.origin && body.all !== true) {
      throw new HttpError(400, 'select records (ids), a reason or an origin, or pass "all": true');
    }
    const options = {
      ...(typeof body.to === 'string' && body.to ? { to: body.to } : {}),
      ...(body.dryRun === true ? { dryRun: true } : {}),
    };
    sendJson(res, 202, ctx.jobs.start(dlq, filter, options));
    return true;
  }
  if (method === 'GET' && path === '/api/jobs') {
    sendJson(res, 200, ctx.jobs.list());
    return true;
  }
  const cancel = /^\/api\/jobs\/([^/]+)\/cancel$/.exec(path);
  if (method === 'POST' && cancel) {
    authorize(req, ctx, ctx.actions.redrive, 'cancelling a redrive');
    sendJson(res, 200, { cancelled: ctx.jobs.cancel(decodeURIComponent(cancel[1]!)) });
    return true;
  }
  return false;
}
