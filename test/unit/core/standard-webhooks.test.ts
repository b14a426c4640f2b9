import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signBody } from '../../../src/core/signing.js';
import { signStandardWebhook, standardWebhookSecretProblem, verifyStandardWebhook } from '../../../src/core/standard-webhooks.js';
import { verifyRelayRequest } from '../../../src/core/verify-request.js';

const KEY = Buffer.from('0123456789abcdef0123456789abcdef');
const SECRET = `whsec_${KEY.toString('base64')}`;
const body = JSON.stringify({ type: 'danube.sink.batch.v1', records: [] });
const now = 1763800000;

describe('Standard Webhooks signing', () => {
  it('signs HMAC-SHA256 of "id.timestamp.body" with the base64-decoded key, as v1,<base64>', async () => {
    const headers = await signStandardWebhook(SECRET, 'msg_1', body, now);
    const expected = createHmac('sha256', KEY).update(`msg_1.${now}.${body}`).digest('base64');
    expect(headers).toEqual({ 'webhook-id': 'msg_1', 'webhook-timestamp': String(now), 'webhook-signature': `v1,${expected}` });
  });

  it('signs with every secret given, space-separated, for rotation', async () => {
    const other = `whsec_${randomBytes(32).toString('base64')}`;
    const headers = await signStandardWebhook([SECRET, other], 'msg_2', body, now);
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(await verifyStandardWebhook(other, body, new Headers(headers), { nowSec: now })).toEqual({ ok: true, timestamp: now });
  });

  it('accepts a good request; refuses missing, malformed, wrong and stale ones', async () => {
    const good = new Headers(await signStandardWebhook(SECRET, 'msg_3', body, now));
    expect(await verifyStandardWebhook(SECRET, body, good, { nowSec: now + 10 })).toEqual({ ok: true, timestamp: now });
    expect(await verifyStandardWebhook(SECRET, new TextEncoder().encode(body), good, { nowSec: now })).toMatchObject({ ok: true });
    const without = (name: string) => {
      const h = new Headers(good);
      h.delete(name);
      return h;
    };
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
      expect(await verifyStandardWebhook(SECRET, body, without(name), { nowSec: now })).toEqual({ ok: false, reason: 'missing' });
    }
    const changed = (name: string, value: string) => {
      const h = new Headers(good);
      h.set(name, value);
      return h;
    };
    expect(await verifyStandardWebhook(SECRET, body, changed('webhook-timestamp', 'soon'), { nowSec: now })).toEqual({ ok: false, reason: 'malformed' });
    expect(await verifyStandardWebhook(SECRET, body, changed('webhook-id', 'msg.1'), { nowSec: now })).toEqual({ ok: false, reason: 'malformed' });
    expect(await verifyStandardWebhook(SECRET, body, changed('webhook-signature', 'v1,not-base64!'), { nowSec: now })).toEqual({
      ok: false,
      reason: 'malformed',
    });
    expect(await verifyStandardWebhook(SECRET, body, changed('webhook-id', 'msg_4'), { nowSec: now })).toEqual({ ok: false, reason: 'mismatch' });
    expect(await verifyStandardWebhook(SECRET, `${body} `, good, { nowSec: now })).toEqual({ ok: false, reason: 'mismatch' });
    expect(await verifyStandardWebhook(`whsec_${randomBytes(32).toString('base64')}`, body, good, { nowSec: now })).toEqual({ ok: false, reason: 'mismatch' });
    expect(await verifyStandardWebhook(SECRET, body, good, { nowSec: now + 301 })).toEqual({ ok: false, reason: 'stale' });
    expect(await verifyStandardWebhook(SECRET, body, good, { nowSec: now - 301 })).toEqual({ ok: false, reason: 'stale' });
    expect(await verifyStandardWebhook(SECRET, body, good, { nowSec: now + 50, toleranceSeconds: 30 })).toEqual({ ok: false, reason: 'stale' });
  });

  it('skips signatures of other schemes (v1a) in the header', async () => {
    const signed = await signStandardWebhook(SECRET, 'msg_5', body, now);
    const h = new Headers({ ...signed, 'webhook-signature': `v1a,${randomBytes(64).toString('base64')} ${signed['webhook-signature']}` });
    expect(await verifyStandardWebhook(SECRET, body, h, { nowSec: now })).toMatchObject({ ok: true });
  });

  it('takes only whsec_ keys of 24 to 64 bytes, never echoing the secret', () => {
    expect(standardWebhookSecretProblem(SECRET)).toBeUndefined();
    expect(standardWebhookSecretProblem(`whsec_${randomBytes(24).toString('base64')}`)).toBeUndefined();
    expect(standardWebhookSecretProblem('a-plain-secret-of-some-length')).toBe('must be written whsec_<base64 key>');
    expect(standardWebhookSecretProblem('whsec_%%%%')).toMatch(/standard base64/);
    expect(standardWebhookSecretProblem(`whsec_${randomBytes(16).toString('base64')}`)).toBe('the key after whsec_ must be 24 to 64 bytes, got 16');
    expect(standardWebhookSecretProblem(`whsec_${randomBytes(65).toString('base64')}`)).toMatch(/got 65/);
  });
});

describe('verifyRelayRequest', () => {
  const bytes = new TextEncoder().encode(body);
  const danube = async () => new Headers({ 'x-danube-signature': await signBody(SECRET, body) });
  const standard = async () => new Headers(await signStandardWebhook(SECRET, 'msg_6', body));

  it('accepts either scheme by default, and only the configured one otherwise', async () => {
    expect(await verifyRelayRequest(SECRET, bytes, await danube(), { accept: 'either' })).toMatchObject({ ok: true });
    expect(await verifyRelayRequest(SECRET, bytes, await standard(), { accept: 'either' })).toMatchObject({ ok: true });
    expect(await verifyRelayRequest(SECRET, bytes, await standard(), { accept: 'danube' })).toEqual({ ok: false, reason: 'missing' });
    expect(await verifyRelayRequest(SECRET, bytes, await danube(), { accept: 'standard-webhooks' })).toEqual({ ok: false, reason: 'missing' });
  });

  it('verifies Standard Webhooks only with whsec_ secrets', async () => {
    expect(await verifyRelayRequest('a-plain-secret-of-some-length', bytes, await standard(), { accept: 'either' })).toEqual({ ok: false, reason: 'mismatch' });
    expect(await verifyRelayRequest(['a-plain-secret-of-some-length', SECRET], bytes, await standard(), { accept: 'either' })).toMatchObject({ ok: true });
  });

  it('passes a request carrying both when either verifies', async () => {
    const h = await standard();
    h.set('x-danube-signature', await signBody('a-plain-secret-of-some-length', body));
    expect(await verifyRelayRequest('a-plain-secret-of-some-length', bytes, h, { accept: 'either' })).toMatchObject({ ok: true });
  });
});
