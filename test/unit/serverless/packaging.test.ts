import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { missingCode } from '../../../src/serverless/artifact-check.js';
import { DANUBE_ESBUILD_DEFAULTS, withEsbuildDefaults } from '../../../src/serverless/esbuild-defaults.js';
import { writeRequireShim } from '../../../src/serverless/invoke-local.js';
import { readZipEntries, writeZip } from '../../../src/serverless/zip.js';

const dir = mkdtempSync(join(tmpdir(), 'danube-packaging-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeZip', () => {
  it('writes archives that read back entry for entry, byte for byte the same for the same input', () => {
    const entries = [
      { name: 'danube-relay.mjs', data: new TextEncoder().encode('export const handler = 1;\n'.repeat(100)) },
      { name: 'a/b.txt', data: new Uint8Array([1, 2, 3]) },
    ];
    const path = join(dir, 'x.zip');
    writeFileSync(path, writeZip(entries));
    const read = readZipEntries(path);
    expect(read.map((e) => [e.name, e.size])).toEqual([
      ['danube-relay.mjs', 2600],
      ['a/b.txt', 3],
    ]);
    expect(read[0]!.text()).toBe('export const handler = 1;\n'.repeat(100));
    expect(writeZip(entries).equals(readFileSync(path))).toBe(true);
  });
});

describe('missingCode: what `osls package` must not call packaged', () => {
  const zip = (name: string, entries: string[]) => {
    const path = join(dir, name);
    writeFileSync(path, writeZip(entries.map((n) => ({ name: n, data: new Uint8Array([1]) }))));
    return path;
  };

  it('names each function whose artifact is missing, empty or without its handler file', () => {
    const problems = missingCode({
      serviceDir: dir,
      individually: true,
      functions: {
        good: { handler: 'functions/sink.handler', package: { artifact: zip('good.zip', ['functions/sink.mjs']) } },
        empty: { handler: 'functions/other.handler', package: { artifact: zip('empty.zip', []) } },
        wrong: { handler: 'functions/third.handler', package: { artifact: zip('wrong.zip', ['functions/sink.mjs']) } },
        gone: { handler: 'functions/gone.handler', package: { artifact: join(dir, 'never-written.zip') } },
        image: { image: 'repo/image:tag' } as never,
      },
    });
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/function "empty": its artifact .*empty\.zip is empty/);
    expect(problems[1]).toMatch(/function "wrong": .* has no functions\/third\.mjs/);
    expect(problems[2]).toMatch(/function "gone": its artifact .* was not written/);
  });

  it('checks the service artifact when functions are not packaged one by one', () => {
    const artifact = zip('service.zip', ['functions/a.mjs']);
    expect(
      missingCode({
        serviceDir: dir,
        individually: false,
        serviceArtifact: artifact,
        functions: { a: { handler: 'functions/a.handler' }, b: { handler: 'functions/b.handler' } },
      }),
    ).toEqual([expect.stringMatching(/function "b": .* has no functions\/b\.mjs/)]);
  });
});

describe('withEsbuildDefaults', () => {
  it('fills what the bundles need and keeps every setting the user gave', () => {
    expect(withEsbuildDefaults(undefined)).toEqual(DANUBE_ESBUILD_DEFAULTS);
    const mine = withEsbuildDefaults({ minify: false, exclude: ['@aws-sdk/*', 'sharp'], external: ['pg-native'] });
    expect(mine).toMatchObject({ minify: false, exclude: ['@aws-sdk/*', 'sharp'], external: ['pg-native'], format: 'esm', outputFileExtension: '.mjs' });
    expect((mine.banner as { js: string }).js).toContain('createRequire');
  });

  it('adds no ESM banner to CommonJS output, and leaves a config file alone', () => {
    const cjs = withEsbuildDefaults({ format: 'cjs' });
    expect(cjs.banner).toBeUndefined();
    expect(cjs.outputFileExtension).toBeUndefined();
    expect(withEsbuildDefaults({ config: './esbuild.config.cjs' })).toEqual({ config: './esbuild.config.cjs' });
  });
});

describe('writeRequireShim', () => {
  it('writes a CommonJS file that calls the ES module bundle, only where none exists', async () => {
    mkdirSync(join(dir, 'build', 'functions'), { recursive: true });
    writeFileSync(
      join(dir, 'build', 'functions', 'sink.mjs'),
      'export async function handler(event, context) { return { event, id: context.awsRequestId }; }\n',
    );
    const shim = writeRequireShim(join(dir, 'build'), 'functions/sink.handler');
    expect(shim).toBe(join(dir, 'build', 'functions', 'sink.cjs'));
    const { createRequire } = await import('node:module');
    const required = createRequire(import.meta.url)(shim!) as { handler(e: unknown, c: unknown): Promise<unknown> };
    expect(await required.handler({ a: 1 }, { awsRequestId: 'r1' })).toEqual({ event: { a: 1 }, id: 'r1' });
    writeFileSync(join(dir, 'build', 'functions', 'plain.mjs'), '');
    writeFileSync(join(dir, 'build', 'functions', 'plain.js'), '');
    expect(writeRequireShim(join(dir, 'build'), 'functions/plain.handler')).toBeUndefined();
    expect(existsSync(join(dir, 'build', 'functions', 'plain.cjs'))).toBe(false);
  });
});
