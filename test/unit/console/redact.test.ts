import { describe, expect, it } from 'vitest';
import { redact, redactAttributes, safeUrl } from '../../../src/console/redact.js';

describe('what the console shows', () => {
  it.each([
    ['connect to postgres://app:s3cret@db:5432/shop failed', 'connect to postgres://***@db:5432/shop failed'],
    ['mqtts://device-7@broker:8883 refused', 'mqtts://***@broker:8883 refused'],
    ['401 with Authorization: Bearer abcdefghijklmnop', '401 with Authorization: Bearer ***'],
    ['token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl expired', 'token *** expired'],
    ['HTTP_POLLER_CONFIG {"url":"https://x","apiKey":"k-123"} bad', 'HTTP_POLLER_CONFIG {"url":"https://x","apiKey":"***"} bad'],
    ['secret=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw is short', 'secret=*** is short'],
    ['PG_URL is not set', 'PG_URL is not set'],
  ])('redacts %s', (input, output) => {
    expect(redact(input)).toBe(output);
  });

  it('keeps where a broker is and drops how to log in', () => {
    expect(safeUrl('https://admin:pw@danube.internal:6650/?token=abc')).toBe('https://danube.internal:6650/?token=***');
    expect(safeUrl('http://127.0.0.1:6650')).toBe('http://127.0.0.1:6650');
  });

  it('hides the values of secret-looking attributes', () => {
    expect(redactAttributes({ authorization: 'Bearer x', 'order-id': 'order-1', 'x-signature': 'v1,abc' })).toEqual({
      authorization: '***',
      'order-id': 'order-1',
      'x-signature': '***',
    });
  });
});
