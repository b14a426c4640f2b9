// When the CLI turns tracing on, and what it says when the SDK packages are missing.
import { describe, expect, it } from 'vitest';
import { startCliTracing, tracesExporters } from '../../../src/cli/tracing.js';

const missing = (name: string) => Object.assign(new Error(`Cannot find package '${name}'`), { code: 'ERR_MODULE_NOT_FOUND' });

describe('tracesExporters', () => {
  it('is off unless the environment asks for traces', () => {
    expect(tracesExporters({})).toEqual([]);
    expect(tracesExporters({ OTEL_SERVICE_NAME: 'x', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })).toEqual([]);
    expect(tracesExporters({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toEqual(['otlp']);
    expect(tracesExporters({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' })).toEqual(['otlp']);
    expect(tracesExporters({ OTEL_TRACES_EXPORTER: 'console' })).toEqual(['console']);
    expect(tracesExporters({ OTEL_TRACES_EXPORTER: ' otlp , console,otlp' })).toEqual(['otlp', 'console']);
  });

  it('stays off with OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none', () => {
    expect(tracesExporters({ OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp' })).toEqual([]);
    expect(tracesExporters({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toEqual([]);
  });

  it('refuses an exporter it cannot start, naming the variable', () => {
    expect(() => tracesExporters({ OTEL_TRACES_EXPORTER: 'zipkin' })).toThrow(
      /OTEL_TRACES_EXPORTER: "zipkin" is not supported here \(use otlp, console, none\)/,
    );
  });
});

describe('startCliTracing', () => {
  it('does nothing, and imports nothing, when tracing is not asked for', async () => {
    const imported: string[] = [];
    expect(await startCliTracing({}, { serviceName: 's', importer: async (n) => void imported.push(n) })).toBeUndefined();
    expect(imported).toEqual([]);
  });

  it('names the command that installs every missing package', async () => {
    const importer = async (name: string) => {
      if (name === '@opentelemetry/sdk-trace' || name === '@opentelemetry/exporter-trace-otlp-proto') throw missing(name);
      return import(name);
    };
    await expect(startCliTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }, { serviceName: 's', importer })).rejects.toThrow(
      'tracing is on (OTEL_TRACES_EXPORTER=otlp) but @opentelemetry/sdk-trace, @opentelemetry/exporter-trace-otlp-proto are not installed: npm install --save-dev @opentelemetry/sdk-trace @opentelemetry/exporter-trace-otlp-proto',
    );
  });

  it('loads the exporter of the protocol asked for, and only with otlp', async () => {
    const imported: string[] = [];
    const importer = async (name: string) => {
      imported.push(name);
      throw missing(name);
    };
    await expect(startCliTracing({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }, { serviceName: 's', importer })).rejects.toThrow(
      /@opentelemetry\/exporter-trace-otlp-http/,
    );
    imported.length = 0;
    await expect(startCliTracing({ OTEL_TRACES_EXPORTER: 'console' }, { serviceName: 's', importer })).rejects.toThrow(/not installed/);
    expect(imported.some((n) => n.includes('exporter'))).toBe(false);
  });

  it('refuses the grpc protocol and unknown samplers, naming the variable', async () => {
    await expect(
      startCliTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, { serviceName: 's' }),
    ).rejects.toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" is not supported here \(use http\/protobuf or http\/json/);
    await expect(startCliTracing({ OTEL_TRACES_EXPORTER: 'console', OTEL_TRACES_SAMPLER: 'sometimes' }, { serviceName: 's' })).rejects.toThrow(
      /OTEL_TRACES_SAMPLER: "sometimes" is not supported/,
    );
    await expect(
      startCliTracing({ OTEL_TRACES_EXPORTER: 'console', OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '2' }, { serviceName: 's' }),
    ).rejects.toThrow(/OTEL_TRACES_SAMPLER_ARG: must be a number from 0 to 1/);
  });

  it('starts the SDK, registers it globally and stops it again', async () => {
    const { trace } = await import('@opentelemetry/api');
    const tracing = await startCliTracing(
      { OTEL_TRACES_EXPORTER: 'none,console', OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.5' },
      { serviceName: 'unit' },
    );
    // `none` in the list wins: nothing started.
    expect(tracing).toBeUndefined();
    const started = await startCliTracing({ OTEL_TRACES_EXPORTER: 'console', OTEL_TRACES_SAMPLER: 'always_off' }, { serviceName: 'unit' });
    try {
      expect(started?.description).toMatch(/^console for service unit, sampler always_off$/);
      const span = trace.getTracer('t').startSpan('x');
      expect(span.isRecording()).toBe(false);
      span.end();
    } finally {
      await started?.shutdown();
    }
  });
});
