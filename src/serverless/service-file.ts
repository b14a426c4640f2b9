import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { ServiceFunction } from './bindings.js';
import { ServerlessConfigError } from './options.js';

/** serverless.yml as the local pipeline reads it, variables resolved. */
export interface ServiceFile {
  service: string;
  provider: { stage: string; timeout?: number; environment?: Record<string, unknown>; [key: string]: unknown };
  custom: Record<string, unknown>;
  functions: Record<string, ServiceFunction>;
}

export interface LoadServiceFileOptions {
  /** `${opt:stage}` and `${sls:stage}`; default: the file's own default, else `dev`. */
  stage?: string;
  /** `${env:NAME}` values. */
  env?: Record<string, string | undefined>;
  /** `${param:NAME}` values (`--param` on the osls command line). */
  params?: Record<string, string>;
}

const VARIABLE = /\$\{([^{}]+)\}/;

/**
 * Reads serverless.yml without osls (and without AWS): resolves the variables that need no
 * cloud (`${opt:…}`, `${sls:stage}`, `${env:…}`, `${param:…}`, `${self:…}`, fallbacks after a
 * comma) and refuses the ones that would call AWS (`${ssm:…}`, `${cf:…}`, `${aws:…}`) unless they
 * have a fallback.
 *
 * @example
 * const service = loadServiceFile('serverless.yml', { env: process.env });
 * Object.keys(service.functions); // ['exampleSource', 'exampleSink']
 */
export function loadServiceFile(path: string, options: LoadServiceFileOptions = {}): ServiceFile {
  let raw: Record<string, unknown>;
  try {
    raw = parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new ServerlessConfigError(`cannot read ${path}: ${(err as Error).message}`, [], { cause: err });
  }
  const resolver = new Resolver(raw, options);
  const stage = String(options.stage ?? resolver.resolve(['provider', 'stage'], (raw.provider as Record<string, unknown>)?.stage ?? 'dev'));
  resolver.stage = stage;
  // Only what a local run needs: `resources` may hold CloudFormation `${AWS::…}` substitutions.
  const resolved = Object.fromEntries(['service', 'provider', 'custom', 'functions'].map((key) => [key, resolver.resolve([key], raw[key])])) as Record<
    string,
    unknown
  >;
  const provider = { ...((resolved.provider as Record<string, unknown>) ?? {}), stage } as ServiceFile['provider'];
  const service = String(resolved.service);
  const functions = (resolved.functions ?? {}) as Record<string, ServiceFunction>;
  for (const [key, fn] of Object.entries(functions)) fn.name ??= `${service}-${stage}-${key}`;
  return { service, provider, custom: (resolved.custom as Record<string, unknown>) ?? {}, functions };
}

class Resolver {
  stage: string | undefined;
  constructor(
    private readonly root: Record<string, unknown>,
    private readonly options: LoadServiceFileOptions,
  ) {
    this.stage = options.stage;
  }

  resolve(path: string[], value: unknown, depth = 0): unknown {
    if (depth > 20) throw new ServerlessConfigError(`${path.join('.')}: variables nest too deep (a cycle?)`);
    if (typeof value === 'string') return this.string(path, value, depth);
    if (Array.isArray(value)) return value.map((v, i) => this.resolve([...path, String(i)], v, depth));
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.resolve([...path, k], v, depth)]));
    }
    return value;
  }

  private string(path: string[], text: string, depth: number): unknown {
    let current: unknown = text;
    // Where to look for the next variable: CloudFormation `${AWS::Region}` / `${Resource}`
    // substitutions (Fn::Sub) are not variables and are stepped over.
    let from = 0;
    for (let guard = 0; typeof current === 'string'; guard++) {
      if (guard > 50) throw new ServerlessConfigError(`${path.join('.')}: too many variables`);
      const str: string = current;
      const pattern = new RegExp(VARIABLE.source, 'g');
      pattern.lastIndex = from;
      const match = pattern.exec(str);
      if (!match) break;
      if (!/^\s*[A-Za-z]+:(?!:)/.test(match[1]!)) {
        from = match.index + match[0].length;
        continue;
      }
      const value = this.resolve(path, this.variable(path, match[1]!), depth + 1);
      // A variable that is the whole string keeps its type (a list, a number); else it is text.
      current = match[0] === str ? value : str.slice(0, match.index) + String(value) + str.slice(match.index + match[0].length);
    }
    return current;
  }

  private variable(path: string[], body: string): unknown {
    const [head, ...fallbacks] = splitTopLevel(body);
    const value = this.lookup(path, head!.trim(), fallbacks.length > 0);
    if (value !== undefined) return value;
    for (const fallback of fallbacks) {
      const f = fallback.trim();
      const quoted = /^(['"])(.*)\1$/.exec(f);
      if (quoted) return quoted[2];
      if (/^-?\d+(\.\d+)?$/.test(f)) return Number(f);
      if (f === 'true' || f === 'false') return f === 'true';
      if (f === 'null') return null;
      const v = this.lookup(path, f, true);
      if (v !== undefined) return v;
    }
    throw new ServerlessConfigError(`${path.join('.')}: \${${body}} has no value locally`, [path.join('.')]);
  }

  private lookup(path: string[], ref: string, optional: boolean): unknown {
    const colon = ref.indexOf(':');
    const source = colon < 0 ? '' : ref.slice(0, colon);
    const address = colon < 0 ? ref : ref.slice(colon + 1);
    switch (source) {
      case 'opt':
        return address === 'stage' ? this.stage : undefined;
      case 'sls':
        return address === 'stage' ? this.stage : undefined;
      case 'env':
        return this.options.env?.[address] || undefined;
      case 'param':
        return this.options.params?.[address];
      case 'self': {
        let node: unknown = this.root;
        for (const key of address.split('.')) node = (node as Record<string, unknown> | undefined)?.[key];
        return node;
      }
      default:
        if (optional) return undefined;
        throw new ServerlessConfigError(`${path.join('.')}: \${${ref}} needs AWS or is unknown; give it a fallback for local runs`, [path.join('.')]);
    }
  }
}

/** Splits `a, 'b, c', d` at top-level commas (quotes and nested `${}` kept whole). */
function splitTopLevel(body: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '{') depth++;
    else if (c === '}') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(body.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(body.slice(start));
  return parts;
}
