/**
 * Turns PostgreSQL's text output of a value into JSON, by the column's type OID. The same
 * rules serve the CDC stream (pgoutput sends text) and the polling source (so both modes
 * publish the same JSON for the same row):
 *
 * - `bool` → boolean; `int2`, `int4`, `oid`, `float4`, `float8` → number (NaN/±Infinity stay strings)
 * - `int8` and `numeric` → string (no precision lost; JSON numbers are doubles)
 * - `json`, `jsonb` → the parsed JSON value
 * - `timestamptz` → ISO-8601 in UTC with `Z`; `timestamp` → ISO-8601 without zone; `date`, `time`,
 *   `timetz`, `interval` → PostgreSQL's ISO text
 * - `bytea` → base64 string
 * - one-dimensional or nested arrays of the above → JSON arrays
 * - anything else (text, varchar, uuid, enums, user types) → the text as is
 *
 * It assumes the session settings the connectors set: `DateStyle=ISO`, `TimeZone=UTC`,
 * `IntervalStyle=iso_8601`, `bytea_output=hex`, `extra_float_digits=3`.
 */

/** Session settings under which {@link decodeText} is exact; passed as connection `options`. */
export const SESSION_OPTIONS = '-c DateStyle=ISO -c TimeZone=UTC -c IntervalStyle=iso_8601 -c bytea_output=hex -c extra_float_digits=3';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

type Decoder = (text: string) => JsonValue;

const asString: Decoder = (t) => t;
const asBool: Decoder = (t) => t === 't' || t === 'true';
const asInt: Decoder = (t) => Number.parseInt(t, 10);
const asFloat: Decoder = (t) => {
  const n = Number(t);
  return Number.isFinite(n) ? n : t; // NaN / Infinity have no JSON form
};
const asJson: Decoder = (t) => JSON.parse(t) as JsonValue;
const asBytea: Decoder = (t) => (t.startsWith('\\x') ? Buffer.from(t.slice(2), 'hex').toString('base64') : Buffer.from(t, 'latin1').toString('base64'));

// `2026-11-22 07:38:24.5+00` → `2026-11-22T07:38:24.5Z`; infinity stays as text.
const asTimestampTz: Decoder = (t) => {
  if (!/^\d/.test(t)) return t;
  const m = /^(.*?)([+-]\d\d(?::?\d\d)?(?::\d\d)?)$/.exec(t);
  if (!m) return t.replace(' ', 'T');
  const zone = m[2] === '+00' ? 'Z' : m[2]!.length === 3 ? `${m[2]}:00` : m[2]!;
  return `${m[1]!.replace(' ', 'T')}${zone}`;
};
const asTimestamp: Decoder = (t) => (/^\d/.test(t) ? t.replace(' ', 'T') : t);

const SCALARS = new Map<number, Decoder>([
  [16, asBool],
  [17, asBytea],
  [20, asString], // int8
  [21, asInt],
  [23, asInt],
  [26, asInt], // oid
  [114, asJson],
  [700, asFloat],
  [701, asFloat],
  [1082, asString], // date
  [1083, asString], // time
  [1114, asTimestamp],
  [1184, asTimestampTz],
  [1186, asString], // interval
  [1266, asString], // timetz
  [1700, asString], // numeric
  [3802, asJson],
]);

// Array type OID → element type OID (the built-in arrays a table is likely to hold).
const ARRAYS = new Map<number, number>([
  [1000, 16],
  [1001, 17],
  [1005, 21],
  [1007, 23],
  [1016, 20],
  [1021, 700],
  [1022, 701],
  [1231, 1700],
  [1009, 25],
  [1015, 1043],
  [1014, 1042],
  [2951, 2950],
  [199, 114],
  [3807, 3802],
  [1115, 1114],
  [1185, 1184],
  [1182, 1082],
  [1183, 1083],
  [1187, 1186],
  [1028, 26],
]);

/**
 * Decodes PostgreSQL text output by type OID.
 *
 * @example
 * decodeText(20, '9007199254740993') // '9007199254740993'
 * decodeText(3802, '{"a": 1}')       // { a: 1 }
 * decodeText(1007, '{1,2,NULL}')     // [1, 2, null]
 */
export function decodeText(typeOid: number, text: string): JsonValue {
  const scalar = SCALARS.get(typeOid);
  if (scalar) return scalar(text);
  const element = ARRAYS.get(typeOid);
  if (element !== undefined) return parseArray(text, SCALARS.get(element) ?? asString);
  return text;
}

/** Parses an array literal such as `{1,2}`, `{{a,b},{c,NULL}}` or `[0:1]={x,y}`. */
export function parseArray(text: string, decode: Decoder = asString): JsonValue[] {
  let i = 0;
  const src = text;
  if (src[0] === '[') {
    // Explicit bounds (`[0:1]={...}`) only shift indexes; JSON arrays start at 0 anyway.
    const eq = src.indexOf('=');
    if (eq > 0) i = eq + 1;
  }
  const parse = (): JsonValue[] => {
    if (src[i] !== '{') throw new SyntaxError(`array literal: expected '{' at ${i} in ${src}`);
    i++;
    const out: JsonValue[] = [];
    if (src[i] === '}') {
      i++;
      return out;
    }
    for (;;) {
      if (src[i] === '{') {
        out.push(parse());
      } else if (src[i] === '"') {
        i++;
        let value = '';
        while (i < src.length && src[i] !== '"') {
          if (src[i] === '\\') i++;
          value += src[i++];
        }
        i++; // closing quote
        out.push(decode(value));
      } else {
        const start = i;
        while (i < src.length && src[i] !== ',' && src[i] !== '}') i++;
        const raw = src.slice(start, i).trim();
        out.push(raw === 'NULL' ? null : decode(raw));
      }
      if (src[i] === ',') {
        i++;
        continue;
      }
      if (src[i] === '}') {
        i++;
        return out;
      }
      throw new SyntaxError(`array literal: unexpected ${JSON.stringify(src[i])} at ${i} in ${src}`);
    }
  };
  return parse();
}
