import { ServerlessConfigError } from '../serverless/options.js';

/** A parsed EventBridge schedule expression: when does it fire next? */
export interface Schedule {
  /** The expression as written, e.g. `rate(5 minutes)` or `cron(0/15 * * * ? *)`. */
  readonly expression: string;
  /** The first firing strictly after `after` (ms since the epoch, UTC), or undefined if none. */
  next(after: number): number | undefined;
}

const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/**
 * Parses an AWS `rate(...)` or 6-field `cron(...)` expression as EventBridge reads it (UTC).
 *
 * `rate(N unit)`: every N minutes / hours / days, counted from `origin` (the local run's start:
 * EventBridge counts from the rule's creation). `cron(min hour day-of-month month day-of-week year)`:
 * numbers, `*`, `?`, lists, ranges, steps (`0/15`, `*\/5`), month and weekday names, `L` in both
 * day fields, `W` and `#` are refused with a message (not supported locally).
 *
 * @example
 * parseSchedule('cron(0 12 * * ? *)').next(Date.UTC(2026, 0, 1)); // 2026-01-01T12:00Z
 */
export function parseSchedule(expression: string, origin = Date.now()): Schedule {
  const text = expression.trim();
  const rate = /^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$/.exec(text);
  if (rate) {
    const n = Number(rate[1]);
    const unit = rate[2]!.replace(/s$/, '');
    if (n < 1) throw new ServerlessConfigError(`schedule ${text}: the rate must be at least 1`);
    if ((n === 1) !== (rate[2] === unit))
      throw new ServerlessConfigError(`schedule ${text}: write "1 ${unit}" and "N ${unit}s" (EventBridge refuses the other forms)`);
    const every = n * UNIT_MS[unit]!;
    return { expression: text, next: (after) => origin + (Math.floor((after - origin) / every) + 1) * every };
  }
  const cron = /^cron\((.*)\)$/.exec(text);
  if (!cron) throw new ServerlessConfigError(`schedule ${text}: expected rate(...) or cron(...)`);
  return cronSchedule(text, cron[1]!.trim().split(/\s+/));
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface Field {
  any: boolean;
  values: Set<number>;
  last: boolean;
}

function field(text: string, name: string, min: number, max: number, names: string[] = [], nameBase = 0): Field {
  const fail = (why: string): never => {
    throw new ServerlessConfigError(`cron ${name} "${text}": ${why}`);
  };
  if (text === '*' || text === '?') return { any: true, values: new Set(), last: false };
  if (text === 'L') return { any: false, values: new Set(), last: true };
  if (/[W#]/.test(text)) fail('W and # are not supported by the local scheduler');
  const value = (v: string): number => {
    const i = names.indexOf(v.toUpperCase());
    const n = i >= 0 ? i + nameBase : Number(v);
    if (!Number.isInteger(n) || n < min || n > max) fail(`${v} is not in ${min}-${max}`);
    return n;
  };
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) fail(`bad step in "${part}"`);
    let lo: number;
    let hi: number;
    if (range === '*') [lo, hi] = [min, max];
    else if (range!.includes('-')) [lo, hi] = range!.split('-').map(value) as [number, number];
    else [lo, hi] = [value(range!), stepText === undefined ? value(range!) : max];
    if (lo > hi) fail(`range ${range} runs backwards`);
    for (let v = lo; v <= hi; v += step) values.add(v);
  }
  return { any: false, values, last: false };
}

function cronSchedule(expression: string, parts: string[]): Schedule {
  if (parts.length !== 6)
    throw new ServerlessConfigError(`schedule ${expression}: cron needs 6 fields (minutes hours day-of-month month day-of-week year), got ${parts.length}`);
  const [mi, ho, dom, mo, dow, yr] = parts as [string, string, string, string, string, string];
  if (dom !== '?' && dow !== '?') throw new ServerlessConfigError(`schedule ${expression}: one of day-of-month and day-of-week must be "?"`);
  const minutes = field(mi, 'minutes', 0, 59);
  const hours = field(ho, 'hours', 0, 23);
  const days = field(dom, 'day-of-month', 1, 31);
  const months = field(mo, 'month', 1, 12, MONTHS, 1);
  // EventBridge numbers weekdays 1 (SUN) to 7 (SAT).
  const weekdays = field(dow, 'day-of-week', 1, 7, DAYS, 1);
  const years = field(yr, 'year', 1970, 2199);
  const has = (f: Field, v: number) => f.any || f.values.has(v);

  const dayMatches = (d: Date): boolean => {
    const lastOfMonth = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
    if (dom !== '?') return days.last ? d.getUTCDate() === lastOfMonth : has(days, d.getUTCDate());
    const weekday = d.getUTCDay() + 1;
    // `L` alone in day-of-week is the last day of the week (Saturday).
    return weekdays.last ? weekday === 7 : has(weekdays, weekday);
  };

  return {
    expression,
    next(after) {
      const t = new Date(Math.floor(after / 60_000) * 60_000 + 60_000);
      // Walk days, then hours, then minutes; at most ~5 years of days before giving up.
      for (let guard = 0; guard < 5 * 366; guard++) {
        const y = t.getUTCFullYear();
        if (!has(years, y) || !has(months, t.getUTCMonth() + 1) || !dayMatches(t)) {
          t.setTime(Date.UTC(y, t.getUTCMonth(), t.getUTCDate() + 1));
          continue;
        }
        for (let h = t.getUTCHours(); h < 24; h++) {
          if (!has(hours, h)) continue;
          const fromMinute = h === t.getUTCHours() ? t.getUTCMinutes() : 0;
          for (let m = fromMinute; m < 60; m++) {
            if (has(minutes, m)) return Date.UTC(y, t.getUTCMonth(), t.getUTCDate(), h, m);
          }
        }
        t.setTime(Date.UTC(y, t.getUTCMonth(), t.getUTCDate() + 1));
      }
      return undefined;
    },
  };
}

/** The schedule expressions of a function's `schedule` events (enabled ones). */
export function schedulesOf(fn: { events?: readonly unknown[] }): string[] {
  const out: string[] = [];
  for (const e of fn.events ?? []) {
    const s = (e as { schedule?: unknown } | null)?.schedule;
    if (s === undefined) continue;
    if (typeof s === 'string') out.push(s);
    else if (s && typeof s === 'object' && (s as { enabled?: boolean }).enabled !== false) {
      const rate = (s as { rate?: string | string[] }).rate;
      out.push(...(Array.isArray(rate) ? rate : rate ? [rate] : []));
    }
  }
  return out;
}
