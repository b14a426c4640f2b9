// Where a JSON text goes wrong, for error messages about settings held in environment variables.
// JSON.parse's own message either says nothing of the place ("Unexpected end of JSON input") or
// quotes the surrounding text, which may hold a password or token; this names the place and at
// most one character.

/** The first syntax error of a JSON text: what is wrong, and where (1-based line and column). */
export interface JsonSyntaxProblem {
  problem: string;
  /** 0-based offset into the text. */
  index: number;
  line: number;
  column: number;
}

class Stop {
  constructor(
    readonly index: number,
    readonly problem: string,
  ) {}
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * Scans `text` as JSON and reports the first problem, or `undefined` when it is valid JSON.
 *
 * @example
 * findJsonSyntaxProblem('{"a": 1,}'); // { problem: 'expected a property name in double quotes, found "}"', line: 1, column: 9, index: 8 }
 */
export function findJsonSyntaxProblem(text: string): JsonSyntaxProblem | undefined {
  let i = 0;
  const found = (): string => (i >= text.length ? 'the text ends' : `found ${JSON.stringify(text[i])}`);
  const fail = (problem: string): never => {
    throw new Stop(i, problem);
  };
  const skipSpace = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const string = (): void => {
    i++; // the opening quote
    while (i < text.length) {
      const c = text[i]!;
      if (c === '"') {
        i++;
        return;
      }
      if (c === '\\') {
        const next = text[i + 1] ?? '';
        if ('"\\/bfnrt'.includes(next) && next !== '') i += 2;
        else if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6;
        else fail('invalid escape in a string');
        continue;
      }
      if (c < ' ') fail('a line break or control character inside a string (write it as \\n)');
      i++;
    }
    fail('a string is not closed (missing ")');
  };
  const value = (): void => {
    skipSpace();
    const c = text[i];
    if (c === '{') return container('}', true);
    if (c === '[') return container(']', false);
    if (c === '"') return string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) {
      NUMBER.lastIndex = i;
      if (!NUMBER.test(text)) fail('invalid number');
      i = NUMBER.lastIndex;
      return;
    }
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return;
      }
    }
    fail(`expected a value (object, array, string in double quotes, number, true, false or null), ${found()}`);
  };
  const container = (close: '}' | ']', object: boolean): void => {
    i++;
    skipSpace();
    if (text[i] === close) {
      i++;
      return;
    }
    for (;;) {
      if (object) {
        skipSpace();
        if (text[i] !== '"') fail(`expected a property name in double quotes, ${found()}`);
        string();
        skipSpace();
        if (text[i] !== ':') fail(`expected ":" after the property name, ${found()}`);
        i++;
      }
      value();
      skipSpace();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === close) {
        i++;
        return;
      }
      fail(`expected "," or "${close}", ${found()}`);
    }
  };

  try {
    value();
    skipSpace();
    if (i < text.length) fail(`unexpected text after the end of the JSON value, ${found()}`);
    return undefined;
  } catch (err) {
    if (!(err instanceof Stop)) throw err;
    const before = text.slice(0, err.index);
    const line = before.split('\n').length;
    const column = err.index - (before.lastIndexOf('\n') + 1) + 1;
    return { problem: err.problem, index: err.index, line, column };
  }
}
