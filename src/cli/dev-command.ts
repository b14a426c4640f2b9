// `danube-connect dev` (what `npm start` runs): the whole pipeline of serverless.yml on this
// machine, with a live status view, until Ctrl-C or --duration.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import type { Logger } from '../core/logger.js';
import { TRACE_LOG_OPTIONS } from '../core/tracing.js';
import { renderStatus, statusLogLines } from '../dev/status.js';
import { startDevPipeline, writeDevInfo, type DevPipeline, type DevPipelineHooks } from '../dev/pipeline.js';
import { startConsoleForDev } from './console-dev.js';
import { startCliTracing } from './tracing.js';

const HELP = `usage: danube-connect dev [options]      (npm start -- [options])

Runs serverless.yml locally: an embedded Danube broker (kept under .danube/broker), an
in-process DynamoDB (dynalite, .danube/dynamodb), the sources on their schedules, the relay and
the sink functions. On a terminal a status view shows every source, binding and dead-letter
topic with its last error; press 1-9 to run that source now, a to run all, q or Ctrl-C to stop.

  --config FILE            serverless.yml (default)
  --stage NAME             stage for \${opt:stage} / \${sls:stage}
  --param KEY=VALUE        a \${param:KEY} value (repeatable)
  --data-dir DIR           where local state and output live (default .danube)
  --broker-port N          embedded broker port (default 6650; 0 = any free port)
  --duration SECONDS       stop by itself after this long (headless runs)
  --no-initial-run         wait for each source's schedule instead of running it at start
  --status-interval SECONDS  refresh period of the status (default 1 on a TTY, 5 otherwise)
  --log-level L            level of .danube/dev.log (default info)
  --console-port N         port of the web console on 127.0.0.1 (default 7650, any free port
                           when taken; 0 = any free port)
  --no-console             do not serve the web console

Environment: DANUBE_SERVICE_URL (a real broker instead of the embedded one), DANUBE_TOKEN,
AWS_ENDPOINT_URL_DYNAMODB (a real or other DynamoDB instead of dynalite); OTEL_TRACES_EXPORTER
(otlp, console) or OTEL_EXPORTER_OTLP_ENDPOINT export traces of sources, relay and sinks
(with the OpenTelemetry SDK packages installed; see docs/tracing.md).
`;

function startControlServer(dev: DevPipeline): Promise<Server> {
  const server = createServer((req, res) => {
    const send = (code: number, body: unknown) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(`${JSON.stringify(body, (_, v) => (typeof v === 'bigint' ? v.toString() : v))}\n`);
    };
    const url = new URL(req.url ?? '/', 'http://localhost');
    const invoke = /^\/invoke\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'POST' && invoke) {
      dev.invoke(decodeURIComponent(invoke[1]!)).then(
        (view) => send(200, view),
        (err: Error) => send(404, { error: err.message }),
      );
    } else if (req.method === 'GET' && url.pathname === '/status') send(200, dev.status());
    else send(404, { error: 'not found' });
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

export async function runDev(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      config: { type: 'string' },
      stage: { type: 'string' },
      param: { type: 'string', multiple: true },
      'data-dir': { type: 'string' },
      'broker-port': { type: 'string' },
      duration: { type: 'string' },
      'no-initial-run': { type: 'boolean' },
      'status-interval': { type: 'string' },
      'log-level': { type: 'string', default: 'info' },
      'console-port': { type: 'string' },
      'no-console': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const number = (flag: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${flag} must be a number, got "${v}"`);
    return n;
  };
  const dataDir = resolve(values['data-dir'] ?? '.danube');
  mkdirSync(dataDir, { recursive: true });
  // Logs go to a file: the terminal belongs to the status view.
  const logger: Logger = pino(
    {
      level: values['log-level'],
      formatters: { log: (o) => JSON.parse(JSON.stringify(o, (_, v) => (typeof v === 'bigint' ? v.toString() : v))) },
      ...TRACE_LOG_OPTIONS,
    },
    pino.destination({ dest: join(dataDir, 'dev.log'), sync: true }),
  );
  const tty = Boolean(process.stdout.isTTY);
  // Deployed functions run on nodejs22.x; the SDK's notice about this machine's Node would only
  // break the status view.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // The functions log to stdout as they would on Lambda; here the terminal belongs to the status
  // view, so their lines go to the log file and only the view writes to the terminal.
  const logFile = createWriteStream(join(dataDir, 'functions.log'), { flags: 'a' });
  const terminal = process.stdout.write.bind(process.stdout) as (text: string) => boolean;
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    logFile.write(chunk);
    const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    cb?.();
    return true;
  }) as typeof process.stdout.write;
  const out = (text: string) => terminal(text);
  try {
    return await runPipeline(values, { dataDir, logger, tty, out, number });
  } finally {
    process.stdout.write = terminal as typeof process.stdout.write;
    await new Promise<void>((ok) => logFile.end(() => ok()));
  }
}

interface RunContext {
  dataDir: string;
  logger: Logger;
  tty: boolean;
  out: (text: string) => void;
  number: (flag: string, v: string | undefined) => number | undefined;
}

async function runPipeline(values: Record<string, string | string[] | boolean | undefined>, ctx: RunContext): Promise<number> {
  const { dataDir, logger, tty, out, number } = ctx;
  const params = Object.fromEntries(
    ((values.param as string[] | undefined) ?? []).map((p) => {
      const eq = p.indexOf('=');
      if (eq < 1) throw new Error(`--param must be KEY=VALUE, got "${p}"`);
      return [p.slice(0, eq), p.slice(eq + 1)];
    }),
  );

  const durationS = number('duration', values.duration as string | undefined);
  const brokerPort = number('broker-port', values['broker-port'] as string | undefined);
  // Started before anything runs, so that the first source run is traced too.
  const tracing = await startCliTracing(process.env, { serviceName: 'danube-connect-dev' });
  if (tracing) {
    logger.info({ tracing: tracing.description }, 'exporting traces');
    out(`danube-connect dev: exporting traces: ${tracing.description}\n`);
  }
  // The web console starts before the sources run, so it sees their first records.
  const web = startConsoleForDev({ enabled: !values['no-console'], port: number('console-port', values['console-port'] as string | undefined), logger });
  const hooks: DevPipelineHooks = { beforeSources: web.start };
  const dev = await startDevPipeline(
    {
      dataDir,
      params,
      env: { ...process.env },
      ...(values.config ? { config: values.config as string } : {}),
      ...(values.stage ? { stage: values.stage as string } : {}),
      ...(brokerPort !== undefined ? { brokerPort } : {}),
      ...(values['no-initial-run'] ? { runSourcesAtStart: false } : {}),
      ...(process.env.DANUBE_SERVICE_URL ? { serviceUrl: process.env.DANUBE_SERVICE_URL } : {}),
      ...(process.env.DANUBE_ADMIN_URL ? { adminUrl: process.env.DANUBE_ADMIN_URL } : {}),
      ...(process.env.DANUBE_TOKEN ? { token: process.env.DANUBE_TOKEN } : {}),
      ...(process.env.AWS_ENDPOINT_URL_DYNAMODB ? { dynamoDbEndpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB } : {}),
    },
    logger,
    hooks,
  ).catch(async (err: unknown) => {
    await web.close();
    await tracing?.shutdown();
    throw err;
  });
  const control = await startControlServer(dev);
  const removeInfo = writeDevInfo(dataDir, {
    pid: process.pid,
    url: `http://127.0.0.1:${(control.address() as AddressInfo).port}`,
    serviceUrl: dev.serviceUrl,
    adminUrl: dev.adminUrl,
  });
  const first = dev.status();
  out(`danube-connect dev: broker ${first.brokerUrl}, dynamodb ${first.dynamoDbEndpoint}; logs in ${join(dataDir, 'dev.log')}\n`);
  // On a terminal the status view lists them (once); elsewhere they are said once, here.
  if (!tty) for (const d of first.disabled) out(`danube-connect dev: ${d.function} is disabled here: ${d.reason}\n`);
  out(web.banner());

  let drawn = 0;
  const draw = () => {
    const status = dev.status();
    if (tty) {
      const width = process.stdout.columns || 120;
      // A line wider than the terminal would wrap, and the redraw below counts lines.
      const lines = renderStatus(status, Date.now(), width).map((l) => (l.length > width ? `${l.slice(0, width - 1)}…` : l));
      // Redraw in place: back to the first line of the last frame, then clear below.
      out(`${drawn ? `\x1b[${drawn}A` : ''}\x1b[0J${lines.join('\n')}\n`);
      drawn = lines.length;
    } else {
      out(`${statusLogLines(status).join('\n')}\n`);
    }
  };
  const intervalS = number('status-interval', values['status-interval'] as string | undefined) ?? (tty ? 1 : 5);
  const ticker = setInterval(draw, Math.max(200, intervalS * 1000));

  let stop!: (reason: string) => void;
  const stopped = new Promise<string>((ok) => (stop = ok));
  const onSignal = (signal: string) => stop(signal);
  process.once('SIGINT', () => onSignal('SIGINT'));
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  const timer = durationS ? setTimeout(() => stop(`--duration ${durationS}`), durationS * 1000) : undefined;
  if (tty && process.stdin.isTTY) {
    process.stdin.setRawMode(true);
    process.stdin.resume();
    process.stdin.on('data', (data: Buffer) => {
      const key = data.toString();
      if (key === '\u0003' || key === 'q') return stop('key');
      if (key === 'a') for (const name of dev.sourceNames) void dev.invoke(name).catch(() => undefined);
      const n = Number(key);
      if (Number.isInteger(n) && n >= 1 && dev.sourceNames[n - 1]) void dev.invoke(dev.sourceNames[n - 1]!).catch(() => undefined);
    });
  }

  const reason = await stopped;
  clearInterval(ticker);
  if (timer) clearTimeout(timer);
  if (tty && process.stdin.isTTY) {
    process.stdin.setRawMode(false);
    process.stdin.pause();
  }
  out(`danube-connect dev: stopping (${reason}): draining the relay…\n`);
  await new Promise<void>((ok) => control.close(() => ok()));
  await web.close();
  removeInfo();
  const final = dev.status();
  await dev.close();
  await tracing?.shutdown();
  if (tty) drawn = 0;
  out(`${statusLogLines(final).join('\n')}\ndanube-connect dev: stopped\n`);
  return 0;
}
