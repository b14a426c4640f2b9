import * as z from 'zod';
import { BindingSchema } from '../relay/config-schema.js';

type JsonSchema = Record<string, unknown>;

/**
 * The JSON schema of the `danube` function event, as osls validates `serverless.yml`.
 *
 * It is derived from the relay's own binding schema so that the two never drift: every binding
 * field is an event field, except `function` (the function the event sits on) and `name`
 * (optional here: it defaults to `<function>-<topic name>`). Unknown keys are refused
 * (`additionalProperties: false`) so that a typo fails `osls package` naming the field.
 *
 * @example
 * serverless.configSchemaHandler.defineFunctionEvent('aws', 'danube', danubeEventJsonSchema());
 */
export function danubeEventJsonSchema(): JsonSchema {
  const schema = clean(z.toJSONSchema(BindingSchema, { io: 'input', unrepresentable: 'any' })) as JsonSchema;
  const properties = { ...(schema.properties as Record<string, unknown>) };
  delete properties.function;
  const required = ((schema.required as string[] | undefined) ?? []).filter((key) => key !== 'name' && key !== 'function');
  return { type: 'object', properties, required, additionalProperties: false };
}

/**
 * The JSON schema osls sees for `custom.danube`. The detailed check (types, bounds, conflicts) is
 * `parseDanubeServiceOptions`, which runs in the plugin and names the key; this one only makes
 * osls aware of the section so that a misspelled top-level key is reported by osls as well.
 */
export function danubeCustomJsonSchema(): JsonSchema {
  const open = { type: 'object' };
  return {
    type: 'object',
    properties: {
      danube: {
        type: 'object',
        properties: { serviceUrl: { type: 'string' }, token: open, tls: open, checkpointTable: open, relay: open, provision: open },
        additionalProperties: false,
      },
    },
  };
}

/** The function-level property that says which Danube permissions a function gets. */
export function danubeFunctionPropertiesJsonSchema(): JsonSchema {
  return {
    properties: { danubeAccess: { enum: ['source', 'publisher', 'none'] } },
  };
}

/**
 * osls's ajv (strict mode) knows no JSON Schema 2020-12 meta keywords, and must not fill
 * defaults into the user's configuration: drop those keywords everywhere.
 */
function clean(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(clean);
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (key === '$schema' || key === 'format' || key === 'default' || key === 'description') continue;
    out[key] = clean(inner);
  }
  // Draft-07 tuples: `items: [...]` with a fixed length instead of 2020-12's `prefixItems`.
  if (Array.isArray(out.prefixItems)) {
    const { prefixItems, items: _rest, ...others } = out;
    const n = (prefixItems as unknown[]).length;
    return { ...others, items: prefixItems, minItems: n, maxItems: n };
  }
  // Strict ajv refuses `type: [a, b]` (union types): spell it as anyOf.
  if (Array.isArray(out.type)) {
    const { type, ...rest } = out;
    return { anyOf: (type as string[]).map((t) => ({ ...rest, type: t })) };
  }
  return out;
}
