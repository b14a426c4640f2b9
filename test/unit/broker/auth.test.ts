import { createHmac } from 'node:crypto';
import { Metadata } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { JwtAuthenticator, signBrokerToken } from '../../../src/broker/auth.js';
import { RpcStatus } from '../../../src/broker/errors.js';

const md = (value?: string) => {
  const m = new Metadata();
  if (value !== undefined) m.set('authorization', value);
  return m;
};

describe('JWT checks of the broker', () => {
  const authenticator = new JwtAuthenticator('secret');
  // undefined when accepted, else the status the broker answers.
  const auth = {
    check: (m: Metadata) => {
      const who = authenticator.authenticate(m);
      return who instanceof RpcStatus ? who : undefined;
    },
  };

  it('accepts "Bearer " and "bearer " with a valid HS256 token', () => {
    const token = signBrokerToken('secret', { sub: 'relay' });
    expect(auth.check(md(`Bearer ${token}`))).toBeUndefined();
    expect(auth.check(md(`bearer ${token}`))).toBeUndefined();
  });

  it('answers the real broker’s messages for missing, malformed and wrong tokens', () => {
    expect(auth.check(md())?.details).toBe('Authentication credentials are missing');
    expect(auth.check(md('Token abc'))?.details).toBe('Invalid token');
    expect(auth.check(md(`Bearer ${signBrokerToken('other', { sub: 'x' })}`))?.details).toBe('Invalid token');
    const expired = signBrokerToken('secret', { sub: 'x', exp: Math.floor(Date.now() / 1000) - 120 });
    expect(auth.check(md(`Bearer ${expired}`))?.details).toBe('Invalid token');
  });

  it('allows jsonwebtoken’s 60 s of leeway on exp', () => {
    const justExpired = signBrokerToken('secret', { sub: 'x', exp: Math.floor(Date.now() / 1000) - 30 });
    expect(auth.check(md(`Bearer ${justExpired}`))).toBeUndefined();
  });

  it('names the caller from principal_type and principal_name, as the real broker maps them', () => {
    const as = (principalType: string) =>
      authenticator.authenticate(md(`Bearer ${signBrokerToken('secret', { sub: 's', principalType, principalName: 'app' })}`));
    expect(as('user')).toEqual({ type: 'user', name: 'app' });
    expect(as('broker_internal')).toEqual({ type: 'broker_internal', name: 'app' });
    expect(as('service_account')).toEqual({ type: 'service_account', name: 'app' });
    expect(as('robot')).toEqual({ type: 'service_account', name: 'app' });
  });

  it('requires every Danube claim', () => {
    const h = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
    const p = Buffer.from(JSON.stringify({ sub: 'x', exp: Math.floor(Date.now() / 1000) + 60 })).toString('base64url');
    const s = createHmac('sha256', 'secret').update(`${h}.${p}`).digest('base64url');
    expect(auth.check(md(`Bearer ${h}.${p}.${s}`))?.details).toBe('Invalid token');
  });
});
