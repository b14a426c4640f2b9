import { describe, expect, it } from 'vitest';
import { BROKER_URL_HEADER, CallAuth } from '../../../src/client/auth.js';
import { parseBrokerUrl } from '../../../src/client/connection-pool.js';

describe('call metadata', () => {
  it('sends the JWT as a bearer token and, through a proxy, the target broker URL', async () => {
    const auth = new CallAuth('jwt-1', undefined);
    const direct = await auth.metadata();
    expect(direct.get('authorization')).toEqual(['Bearer jwt-1']);
    expect(direct.get(BROKER_URL_HEADER)).toEqual([]);
    const proxied = await auth.metadata('http://broker-2:6650');
    expect(proxied.get(BROKER_URL_HEADER)).toEqual(['http://broker-2:6650']);
    expect(proxied.get('authorization')).toEqual(['Bearer jwt-1']);
  });

  it('builds fixed-token metadata once and asks a token supplier on every call', async () => {
    const fixed = new CallAuth('t', undefined);
    expect(fixed.metadata()).toBe(fixed.metadata());
    let n = 0;
    const rotating = new CallAuth(undefined, async () => `token-${++n}`);
    expect((await rotating.metadata()).get('authorization')).toEqual(['Bearer token-1']);
    expect((await rotating.metadata()).get('authorization')).toEqual(['Bearer token-2']);
  });

  it('sends no authorization header without credentials', async () => {
    expect((await new CallAuth(undefined, undefined).metadata()).get('authorization')).toEqual([]);
  });
});

describe('broker URLs', () => {
  it('dials host:port and turns TLS on for https', () => {
    expect(parseBrokerUrl('http://127.0.0.1:6650')).toEqual({ target: '127.0.0.1:6650', secure: false });
    expect(parseBrokerUrl('https://broker.example:6651/')).toEqual({ target: 'broker.example:6651', secure: true });
  });
});
