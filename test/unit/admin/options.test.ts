import { describe, expect, it } from 'vitest';
import { AdminError, AdminOptionsError, DEFAULT_ADMIN_TIMEOUT_MS, DEFAULT_ADMIN_URL, parseAdminOptions } from '../../../src/admin/index.js';

describe('admin client options', () => {
  it('fills the real broker’s admin port and a timeout by default', () => {
    expect(parseAdminOptions()).toEqual({ adminUrl: DEFAULT_ADMIN_URL, timeoutMs: DEFAULT_ADMIN_TIMEOUT_MS });
    expect(parseAdminOptions({ adminUrl: 'https://broker:50051/' }).adminUrl).toBe('https://broker:50051');
  });

  it('rejects unknown keys and bad values, naming them', () => {
    expect(() => parseAdminOptions({ adminURL: 'x' } as never)).toThrow(/admin options: adminURL: unknown key \(did you mean "adminUrl"\?\)/);
    expect(() => parseAdminOptions({ adminUrl: 'broker:50051' })).toThrow(/admin options: adminUrl: expected "http:\/\/host:port"/);
    const err = (() => {
      try {
        parseAdminOptions({ timeoutMs: -1 });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(AdminOptionsError);
    expect(err).toBeInstanceOf(AdminError);
  });
});
