import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseSignatureHeader, signBody, signRequest, SIGNATURE_HEADER, verifySignature } from '../../../src/core/index.js';

describe('HMAC signing', () => {
  const body = JSON.stringify({ type: 'danube.sink.batch.v1', records: [] });

  it('matches HMAC-SHA256 over "t.body" as node:crypto computes it', async () => {
    const header = await signBody('s3cret', body, 1763800000);
    const expected = createHmac('sha256', 's3cret').update(`1763800000.${body}`).digest('hex');
    expect(header).toBe(`t=1763800000,v1=${expected}`);
    const headers = await signRequest('s3cret', body, 1763800000);
    expect(headers[SIGNATURE_HEADER]).toBe(header);
  });

  it('accepts a good signature, refuses missing, malformed, wrong and stale ones', async () => {
    const now = 1763800000;
    const header = await signBody('s3cret', body, now);
    expect(await verifySignature('s3cret', body, header, { nowSec: now + 10 })).toEqual({ ok: true, timestamp: now });
    expect(await verifySignature('s3cret', new TextEncoder().encode(body), header, { nowSec: now })).toMatchObject({ ok: true });
    expect(await verifySignature('s3cret', body, null)).toEqual({ ok: false, reason: 'missing' });
    expect(await verifySignature('s3cret', body, 'v1=abc')).toEqual({ ok: false, reason: 'malformed' });
    expect(await verifySignature('other', body, header, { nowSec: now })).toEqual({ ok: false, reason: 'mismatch' });
    expect(await verifySignature('s3cret', body + ' ', header, { nowSec: now })).toEqual({ ok: false, reason: 'mismatch' });
    expect(await verifySignature('s3cret', body, header, { nowSec: now + 301 })).toEqual({ ok: false, reason: 'stale' });
    expect(await verifySignature('s3cret', body, header, { nowSec: now - 301 })).toEqual({ ok: false, reason: 'stale' });
    expect(await verifySignature('s3cret', body, header, { nowSec: now + 50, toleranceSeconds: 30 })).toEqual({ ok: false, reason: 'stale' });
  });

  it('supports secret rotation (several secrets, several v1 values)', async () => {
    const now = 1763800000;
    const header = await signBody('new', body, now);
    expect(await verifySignature(['old', 'new'], body, header, { nowSec: now })).toMatchObject({ ok: true });
    const old = (await signBody('old', body, now)).split(',')[1];
    expect(parseSignatureHeader(`${header},${old}`)?.signatures).toHaveLength(2);
    expect(await verifySignature('old', body, `${header},${old}`, { nowSec: now })).toMatchObject({ ok: true });
  });
});
