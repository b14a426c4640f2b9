import { createHmac } from 'node:crypto';
import { Metadata } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { JwtAuthenticator, signBrokerToken } from '../../../src/broker/auth.js';

const md = (value?: string) => {
  const m = new Metadata();
  if (value !== undefined) m.set('authorization', value);
  return m;
};

describe('JWT checks of the broker', () => {
  const auth = new JwtAuthenticator('secret');

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

  it('requires every Danube claim', () => {
    const h = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
    const p = Buffer.from(JSON.stringify({ sub: 'x', exp: Math.floor(Date.now() / 1000) + 60 })).toString('base64url');
    const s = createHmac('sha256', 'secret').update(`${h}.${p}`).digest('base64url');
    expect(auth.check(md(`Bearer ${h}.${p}.${s}`))?.details).toBe('Invalid token');
  });
});
