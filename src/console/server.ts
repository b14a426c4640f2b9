// The console's HTTP server: the page, its JSON API, and a server-sent event stream that pushes a
// new snapshot every sample (and redrive progress as it happens), so the page never reloads.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger, type Logger } from '../core/logger.js';
import type { DeadLetterTopic } from '../dlq/types.js';
import { handleApi } from './api.js';
import type { ConsoleBackend } from './backend.js';
import { pipelineGraph } from './graph.js';
import { History } from './history.js';
import { HttpError, hostAllowed, sendError, sendJson, serveAsset, toJson } from './http.js';
import { RedriveJobs } from './jobs.js';
import { parseConsoleServerOptions, type ConsoleServerOptions } from './options.js';
import { redact } from './redact.js';
import { oneAtATime } from './serial.js';
import type { ConsoleActions, ConsoleSnapshot } from './types.js';

export interface ConsoleServer {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  /** What actions need: show it to the person who started the console, and nowhere else. */
  readonly token: string;
  readonly readOnly: boolean;
  /** Stops sampling, ends the event streams, cancels redrives, closes the backend. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Serves the console for a backend (a local pipeline, or a relay and broker elsewhere).
 *
 * @example
 * const server = await startConsoleServer(backend, { port: 0 });
 * process.stdout.write(`console ${server.url}/#token=${server.token}\n`);
 */
export async function startConsoleServer(backend: ConsoleBackend, input: ConsoleServerOptions = {}, logger: Logger = silentLogger): Promise<ConsoleServer> {
  const options = parseConsoleServerOptions(input);
  const readOnly = options.readOnly;
  const actions: ConsoleActions = {
    runNow: !readOnly && backend.runNow !== undefined,
    checkpoints: !readOnly && backend.checkpoints !== undefined,
    redrive: !readOnly && backend.deadLetters !== undefined,
  };
  const history = new History(Math.ceil((options.historySeconds * 1000) / options.sampleIntervalMs));
  const streams = new Set<ServerResponse>();
  const push = (event: string, data: unknown) => {
    const frame = `event: ${event}\ndata: ${toJson(data)}\n\n`;
    for (const res of streams) res.write(frame);
  };
  const jobs = new RedriveJobs((job) => push('job', job));
  const opened = new Map<string, Promise<DeadLetterTopic>>();
  let latest: ConsoleSnapshot | undefined;

  const sample = async () => {
    const at = Date.now();
    let s: Awaited<ReturnType<ConsoleBackend['snapshot']>>;
    try {
      s = await backend.snapshot();
    } catch (err) {
      if (!latest) return;
      s = { ...latest, at, problems: [redact(`cannot read the pipeline: ${(err as Error).message}`)] };
    }
    latest = { ...s, mode: backend.mode, readOnly, actions, deadLettersBrowsable: backend.deadLetters !== undefined, graph: pipelineGraph(s) };
    push('snapshot', { snapshot: latest, sample: history.add(at, latest.bindings) });
  };
  let sampling: Promise<void> | undefined;
  const timer = setInterval(() => {
    sampling ??= sample().finally(() => (sampling = undefined));
  }, options.sampleIntervalMs);
  timer.unref();
  await sample();

  const deadLetterTopic = (topic: string): Promise<DeadLetterTopic> => {
    if (!backend.deadLetters) return Promise.reject(new HttpError(404, 'the dead-letter tooling is not available here'));
    const known = latest?.deadLetterTopics.some((t) => t.topic === topic);
    if (!known) return Promise.reject(new HttpError(404, `"${topic}" is not a dead-letter topic of this pipeline`));
    let dlq = opened.get(topic);
    if (!dlq) {
      dlq = Promise.resolve(backend.deadLetters(topic)).then(oneAtATime);
      dlq.catch(() => opened.delete(topic));
      opened.set(topic, dlq);
    }
    return dlq;
  };

  const ctx = {
    backend,
    token: options.token,
    readOnly,
    actions,
    latest: () => latest,
    history: (since: number) => history.since(since),
    jobs,
    deadLetterTopic,
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://console.invalid');
    if (!hostAllowed(req, options.host)) {
      sendJson(res, 421, { error: 'this console answers requests to 127.0.0.1 or localhost only' });
      return;
    }
    void (async () => {
      try {
        if (url.pathname === '/api/events' && req.method === 'GET') {
          res.writeHead(200, {
            'content-type': 'text/event-stream',
            'cache-control': 'no-store',
            connection: 'keep-alive',
            'x-content-type-options': 'nosniff',
          });
          res.write('retry: 2000\n\n');
          if (latest) res.write(`event: snapshot\ndata: ${toJson({ snapshot: latest })}\n\n`);
          streams.add(res);
          req.on('close', () => streams.delete(res));
          return;
        }
        if (url.pathname.startsWith('/api/')) {
          if (!(await handleApi(req, res, url, ctx))) throw new HttpError(404, `no ${req.method} ${url.pathname}`);
          return;
        }
        if ((req.method === 'GET' || req.method === 'HEAD') && (await serveAsset(res, url.pathname, req.method === 'HEAD'))) return;
        throw new HttpError(404, 'not found');
      } catch (err) {
        if (!(err instanceof HttpError)) logger.warn({ err: (err as Error)?.message, path: url.pathname }, 'console: request failed');
        if (!res.headersSent) sendError(res, err instanceof HttpError ? err : new HttpError(500, redact((err as Error)?.message ?? String(err))));
        else res.end();
      }
    })();
  });
  server.keepAliveTimeout = 5_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => resolve());
    });
  } catch (err) {
    clearInterval(timer);
    throw err;
  }
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host === '0.0.0.0' ? '127.0.0.1' : options.host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    token: options.token,
    readOnly,
    close() {
      closing ??= (async () => {
        clearInterval(timer);
        await sampling;
        for (const res of streams) res.end();
        streams.clear();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await jobs.close();
        await Promise.allSettled([...opened.values()].map(async (d) => (await d).close()));
        await backend.close();
      })();
      return closing;
    },
  };
}
