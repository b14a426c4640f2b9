import { describe, expect, it } from 'vitest';
import { parseSchedule } from '../../../src/dev/schedule.js';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

describe('parseSchedule', () => {
  it('counts rate() from the origin', () => {
    const s = parseSchedule('rate(5 minutes)', at('2026-01-01T10:00:00Z'));
    expect(iso(s.next(at('2026-01-01T10:00:00Z')))).toBe('2026-01-01T10:05:00.000Z');
    expect(iso(s.next(at('2026-01-01T10:07:30Z')))).toBe('2026-01-01T10:10:00.000Z');
    expect(iso(parseSchedule('rate(1 day)', 0).next(1))).toBe('1970-01-02T00:00:00.000Z');
  });

  it('refuses rate forms EventBridge refuses', () => {
    expect(() => parseSchedule('rate(1 minutes)')).toThrow(/1 minute/);
    expect(() => parseSchedule('rate(5 minute)')).toThrow(/5 minutes|N minutes/);
    expect(() => parseSchedule('every 5 minutes')).toThrow(/rate\(\.\.\.\) or cron/);
  });

  it('reads 6-field cron: steps, ranges, names, L', () => {
    expect(iso(parseSchedule('cron(0/15 * * * ? *)').next(at('2026-01-01T10:07:00Z')))).toBe('2026-01-01T10:15:00.000Z');
    // 2026-01-03 is a Saturday: the next weekday noon is Monday the 5th.
    expect(iso(parseSchedule('cron(0 12 ? * MON-FRI *)').next(at('2026-01-03T10:00:00Z')))).toBe('2026-01-05T12:00:00.000Z');
    expect(iso(parseSchedule('cron(30 2 L * ? *)').next(at('2026-02-03T00:00:00Z')))).toBe('2026-02-28T02:30:00.000Z');
    expect(iso(parseSchedule('cron(0 8 1 JAN,JUL ? *)').next(at('2026-02-01T00:00:00Z')))).toBe('2026-07-01T08:00:00.000Z');
    expect(parseSchedule('cron(0 0 1 1 ? 2020)').next(at('2026-01-01T00:00:00Z'))).toBeUndefined();
  });

  it('names the field of a bad cron expression', () => {
    expect(() => parseSchedule('cron(0 12 * * * *)')).toThrow(/day-of-month and day-of-week/);
    expect(() => parseSchedule('cron(0 25 * * ? *)')).toThrow(/hours "25"/);
    expect(() => parseSchedule('cron(0 12 * *)')).toThrow(/6 fields/);
    expect(() => parseSchedule('cron(0 12 ? * 2#1 *)')).toThrow(/not supported/);
  });
});
