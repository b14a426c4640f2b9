import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/index.js';
import { danubeConnectionFromEnv, resolveDanubeConnection, type SecretReader } from '../../../src/runtime/lambda/index.js';

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

/** Counts reads; `fail` makes the next read reject once, as a throttled SSM call would. */
function countingReader(values: Record<string, string>) {
  const calls: string[] = [];
  let fail = false;
  const reader: SecretReader = {
    async ssmParameter(name) {
      calls.push(`ssm:${name}`);
      if (fail) {
        fail = false;
        throw new Error('ThrottlingException');
      }
      return values[name]!;
    },
    async secret(id) {
      calls.push(`secret:${id}`);
      return values[id]!;
    },
  };
  return { reader, calls, failNext: () => (fail = true) };
}

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('danubeConnectionFromEnv', () => {
  it('names the variable that is missing or wrong', () => {
    expect(configError(() => danubeConnectionFromEnv({})).keys).toEqual(['DANUBE_SERVICE_URL']);
    const badUrl = configError(() => danubeConnectionFromEnv({ DANUBE_SERVICE_URL: 'danube.example:6650' }));
    expect(badUrl.message).toMatch(/^DANUBE_SERVICE_URL must be "http:\/\/host:port"/);
    const both = configError(() =>
      danubeConnectionFromEnv({ DANUBE_SERVICE_URL: 'https://d:6650', DANUBE_TOKEN_SSM_PARAMETER: '/t', DANUBE_TOKEN_SECRET_ID: 's' }),
    );
    expect(both.keys).toEqual(['DANUBE_TOKEN_SSM_PARAMETER', 'DANUBE_TOKEN_SECRET_ID']);
    const badCa = configError(() => danubeConnectionFromEnv({ DANUBE_SERVICE_URL: 'https://d:6650', DANUBE_TLS_CA: '/etc/ssl/ca.pem' }));
    expect(badCa.keys).toEqual(['DANUBE_TLS_CA']);
    expect(badCa.message).toContain('PEM');
  });

  it('takes a plain token and the CA as given, and a plain token over a stored one', () => {
    expect(danubeConnectionFromEnv({ DANUBE_SERVICE_URL: 'https://d:6650', DANUBE_TOKEN: 'jwt', DANUBE_TOKEN_SSM_PARAMETER: '/t', DANUBE_TLS_CA: CA })).toEqual(
      { serviceUrl: 'https://d:6650', token: 'jwt', tls: { ca: CA } },
    );
    expect(danubeConnectionFromEnv({ DANUBE_SERVICE_URL: 'http://127.0.0.1:6650', DANUBE_TOKEN: '' })).toEqual({ serviceUrl: 'http://127.0.0.1:6650' });
  });

  it('reads a stored token only when a call needs it, and once per process', async () => {
    const { reader, calls } = countingReader({ '/unit/token-once': 'jwt-from-ssm' });
    const env = { DANUBE_SERVICE_URL: 'https://d:6650', DANUBE_TOKEN_SSM_PARAMETER: '/unit/token-once' };
    const first = danubeConnectionFromEnv(env, { reader });
    expect(first.token).toBeUndefined();
    expect(calls).toEqual([]);
    expect(await first.tokenSupplier!()).toBe('jwt-from-ssm');
    // A second client (another handler in the same container) shares the cached value.
    expect(await danubeConnectionFromEnv(env, { reader }).tokenSupplier!()).toBe('jwt-from-ssm');
    expect(await first.tokenSupplier!()).toBe('jwt-from-ssm');
    expect(calls).toEqual(['ssm:/unit/token-once']);
  });

  it('tries a failed read again on the next call instead of remembering the failure', async () => {
    const { reader, calls, failNext } = countingReader({ '/unit/token-retry': 'jwt' });
    const { tokenSupplier } = danubeConnectionFromEnv({ DANUBE_SERVICE_URL: 'https://d:6650', DANUBE_TOKEN_SSM_PARAMETER: '/unit/token-retry' }, { reader });
    failNext();
    await expect(tokenSupplier!()).rejects.toThrow('ThrottlingException');
    expect(await tokenSupplier!()).toBe('jwt');
    expect(calls).toEqual(['ssm:/unit/token-retry', 'ssm:/unit/token-retry']);
  });
});

describe('resolveDanubeConnection', () => {
  it('returns the fetched token', async () => {
    const { reader, calls } = countingReader({ 'unit/secret': 'jwt-from-secrets-manager' });
    const env = { DANUBE_SERVICE_URL: 'https://d:6650', DANUBE_TOKEN_SECRET_ID: 'unit/secret', DANUBE_TLS_CA: CA };
    expect(await resolveDanubeConnection(env, reader)).toEqual({ serviceUrl: 'https://d:6650', token: 'jwt-from-secrets-manager', tls: { ca: CA } });
    expect(calls).toEqual(['secret:unit/secret']);
  });
});
