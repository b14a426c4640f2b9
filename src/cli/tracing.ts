// The CLI's processes (`danube-connect relay`, `danube-connect dev` / `npm start`) export traces
// when the standard OTEL_* environment variables ask for it. The SDK and exporter packages are
// optional peers, loaded only then; the library itself only ever speaks the API.
import { ConfigError } from '../core/errors.js';
import { tracingRegistered } from '../core/tracing.js';

/** A started SDK: flush and stop it before the process exits. */
export interface CliTracing {
  /** What was set up, for the start-up log line. */
  readonly description: string;
  shutdown(): Promise<void>;
}

/** How a package is imported (replaceable in tests). */
export type Importer = (name: string) => Promise<unknown>;

export interface CliTracingOptions {
  /** `service.name` when neither OTEL_SERVICE_NAME nor OTEL_RESOURCE_ATTRIBUTES names one. */
  serviceName: string;
  /**
   * Register Node's AsyncLocalStorage context manager (default true): needed where user code runs
   * in this process (sources, in-process sinks), so that its spans nest under ours. Without user
   * code the package passes every parent explicitly, and the manager's async hook, which costs
   * every promise of the process something on Node 20 and 22, is better left out.
   */
  asyncContext?: boolean;
  importer?: Importer;
}

const SDK = '@opentelemetry/sdk-trace';
const CONTEXT = '@opentelemetry/context-async-hooks';
const CORE = '@opentelemetry/core';
const RESOURCES = '@opentelemetry/resources';
const EXPORTERS: Record<string, string> = {
  'http/protobuf': '@opentelemetry/exporter-trace-otlp-proto',
  'http/json': '@opentelemetry/exporter-trace-otlp-http',
};
const EXPORTER_NAMES = ['otlp', 'console', 'none'];
const SAMPLERS = ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'];

/**
 * Which exporters the environment asks for: none unless OTEL_TRACES_EXPORTER or an OTLP endpoint
 * variable is set (the SDK specification's default of `otlp` would turn tracing on for every
 * run; here it stays off until asked for), and none when OTEL_SDK_DISABLED is true.
 */
export function tracesExporters(env: Record<string, string | undefined>): string[] {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return [];
  const listed = env.OTEL_TRACES_EXPORTER?.split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const wanted = listed && listed.length > 0 ? listed : endpoint ? ['otlp'] : [];
  for (const name of wanted) {
    if (!EXPORTER_NAMES.includes(name))
      throw new ConfigError(`OTEL_TRACES_EXPORTER: "${name}" is not supported here (use ${EXPORTER_NAMES.join(', ')})`, ['OTEL_TRACES_EXPORTER']);
  }
  return wanted.includes('none') ? [] : [...new Set(wanted)];
}

/**
 * Starts an OpenTelemetry SDK from the standard environment variables, or does nothing (returns
 * undefined) when they do not ask for traces or a tracer provider is already registered (e.g. by
 * `node --import` of the application's own setup). Honoured: OTEL_SDK_DISABLED,
 * OTEL_TRACES_EXPORTER (`otlp`, `console`, `none`), OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL
 * (`http/protobuf`, `http/json`), the exporters' own OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT /
 * HEADERS / TIMEOUT, OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER[_ARG],
 * OTEL_BSP_* and OTEL_SPAN_LINK_COUNT_LIMIT. A missing package fails with the command that
 * installs it.
 *
 * @example
 * const tracing = await startCliTracing(process.env, { serviceName: 'danube-relay' });
 * // ... run ...
 * await tracing?.shutdown();
 */
export async function startCliTracing(env: Record<string, string | undefined>, options: CliTracingOptions): Promise<CliTracing | undefined> {
  const exporters = tracesExporters(env);
  if (exporters.length === 0 || tracingRegistered()) return undefined;
  const protocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL || 'http/protobuf').trim();
  const exporterPackage = EXPORTERS[protocol];
  if (exporters.includes('otlp') && !exporterPackage) {
    throw new ConfigError(
      `OTEL_EXPORTER_OTLP_PROTOCOL: "${protocol}" is not supported here (use ${Object.keys(EXPORTERS).join(' or ')}; a collector takes both on port 4318)`,
      ['OTEL_EXPORTER_OTLP_PROTOCOL'],
    );
  }
  const sampler = samplerSpec(env);
  const importer = options.importer ?? ((name: string) => import(name));
  const needed = [SDK, CONTEXT, CORE, RESOURCES, ...(exporters.includes('otlp') ? [exporterPackage!] : [])];
  const loaded = await importAll(importer, needed, exporters);
  const sdk = loaded[SDK] as typeof import('@opentelemetry/sdk-trace');
  const { AsyncLocalStorageContextManager } = loaded[CONTEXT] as typeof import('@opentelemetry/context-async-hooks');
  const { W3CTraceContextPropagator } = loaded[CORE] as typeof import('@opentelemetry/core');
  const resources = loaded[RESOURCES] as typeof import('@opentelemetry/resources');
  const api = await import('@opentelemetry/api');

  const processors = exporters.map((name) => {
    if (name === 'console') return new sdk.SimpleSpanProcessor({ exporter: new sdk.ConsoleSpanExporter() });
    const { OTLPTraceExporter } = loaded[exporterPackage!] as typeof import('@opentelemetry/exporter-trace-otlp-proto');
    return new sdk.BatchSpanProcessor({ exporter: new OTLPTraceExporter(), ...batchOptions(env) });
  });
  const resource = resources
    .defaultResource()
    .merge(resources.resourceFromAttributes({ 'service.name': options.serviceName }))
    .merge(resources.detectResources({ detectors: [resources.envDetector] }));
  const linkLimit = positiveInt(env, 'OTEL_SPAN_LINK_COUNT_LIMIT');
  const provider = new sdk.TracerProvider({
    resource,
    spanProcessors: processors,
    sampler: makeSampler(sdk, sampler),
    ...(linkLimit !== undefined ? { spanLimits: { linkCountLimit: linkLimit } } : {}),
  });
  const asyncContext = options.asyncContext ?? true;
  if (asyncContext) api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  api.propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  api.trace.setGlobalTracerProvider(provider);
  const service = String(resource.attributes['service.name']);
  return {
    description: `${exporters.map((e) => (e === 'otlp' ? `otlp (${protocol})` : e)).join(', ')} for service ${service}, sampler ${sampler.name}${asyncContext ? '' : ', no async context'}`,
    async shutdown() {
      await provider.shutdown().catch(() => undefined);
      api.trace.disable();
      api.context.disable();
      api.propagation.disable();
    },
  };
}

async function importAll(importer: Importer, names: string[], exporters: string[]): Promise<Record<string, unknown>> {
  const loaded: Record<string, unknown> = {};
  const missing: string[] = [];
  for (const name of names) {
    try {
      loaded[name] = await importer(name);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') throw err;
      missing.push(name);
    }
  }
  if (missing.length > 0) {
    throw new ConfigError(
      `tracing is on (OTEL_TRACES_EXPORTER=${exporters.join(',')}) but ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not installed: ` +
        `npm install --save-dev ${missing.join(' ')}`,
      ['OTEL_TRACES_EXPORTER'],
    );
  }
  return loaded;
}

interface SamplerSpec {
  name: string;
  ratio: number;
}

function samplerSpec(env: Record<string, string | undefined>): SamplerSpec {
  const name = (env.OTEL_TRACES_SAMPLER || 'parentbased_always_on').trim().toLowerCase();
  if (!SAMPLERS.includes(name)) throw new ConfigError(`OTEL_TRACES_SAMPLER: "${name}" is not supported (use ${SAMPLERS.join(', ')})`, ['OTEL_TRACES_SAMPLER']);
  const arg = env.OTEL_TRACES_SAMPLER_ARG;
  const ratio = arg === undefined || arg === '' ? 1 : Number(arg);
  if (!(ratio >= 0 && ratio <= 1)) throw new ConfigError(`OTEL_TRACES_SAMPLER_ARG: must be a number from 0 to 1, got "${arg}"`, ['OTEL_TRACES_SAMPLER_ARG']);
  return { name, ratio };
}

function makeSampler(sdk: typeof import('@opentelemetry/sdk-trace'), spec: SamplerSpec) {
  const [parentBased, root] = spec.name.startsWith('parentbased_') ? [true, spec.name.slice('parentbased_'.length)] : [false, spec.name];
  const base =
    root === 'always_off' ? new sdk.AlwaysOffSampler() : root === 'traceidratio' ? new sdk.TraceIdRatioBasedSampler(spec.ratio) : new sdk.AlwaysOnSampler();
  return parentBased ? new sdk.ParentBasedSampler({ root: base }) : base;
}

function batchOptions(env: Record<string, string | undefined>) {
  const out: { scheduledDelayMillis?: number; exportTimeoutMillis?: number; maxQueueSize?: number; maxExportBatchSize?: number } = {};
  const set = (key: keyof typeof out, name: string) => {
    const v = positiveInt(env, name);
    if (v !== undefined) out[key] = v;
  };
  set('scheduledDelayMillis', 'OTEL_BSP_SCHEDULE_DELAY');
  set('exportTimeoutMillis', 'OTEL_BSP_EXPORT_TIMEOUT');
  set('maxQueueSize', 'OTEL_BSP_MAX_QUEUE_SIZE');
  set('maxExportBatchSize', 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE');
  return out;
}

function positiveInt(env: Record<string, string | undefined>, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new ConfigError(`${name}: must be a whole number ≥ 0, got "${raw}"`, [name]);
  return n;
}
