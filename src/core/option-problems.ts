import { ConfigError } from './errors.js';

/** One thing wrong with an options object: the dotted key and what is wrong with it. */
export interface OptionProblem {
  key: string;
  message: string;
}

/** Builds the error thrown for bad options; callers outside core pass their own error class. */
export type OptionsErrorFactory = (message: string, keys: string[]) => Error;

const configError: OptionsErrorFactory = (message, keys) => new ConfigError(message, keys);

/**
 * The one error every options check throws: `invalid <what>: <key>: <problem>; ...`, naming each
 * key, so that a typo fails where the options are given with the key and the function named.
 */
export function optionsError(what: string, problems: readonly OptionProblem[], make: OptionsErrorFactory = configError): Error {
  return make(
    `invalid ${what}: ${problems.map((p) => `${p.key}: ${p.message}`).join('; ')}`,
    problems.map((p) => p.key),
  );
}

/** `unknown key`, with ` (did you mean "x"?)` when a known key is one or two edits away. */
export function unknownKey(key: string, known: readonly string[]): string {
  const leaf = key.slice(key.lastIndexOf('.') + 1).toLowerCase();
  const near = known.find((k) => distance(k.toLowerCase(), leaf) <= 2);
  return near ? `unknown key (did you mean "${near}"?)` : 'unknown key';
}

function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}
