import { createHash } from 'node:crypto';
import { Ajv, type ValidateFunction } from 'ajv';
import type { StreamMessage } from '../generated/danube/DanubeApi.js';
import { internal, notFound, permissionDenied } from './errors.js';
import { compatibilityErrors, type CompatibilityMode } from './schema-compat.js';
import type { Topic } from './topic.js';

export type SchemaKind = 'bytes' | 'string' | 'number' | 'avro' | 'json_schema' | 'protobuf';

export interface SchemaVersionRecord {
  version: number;
  kind: SchemaKind;
  raw: string;
  fingerprint: string;
  /** Seconds since epoch, as the real registry stores it. */
  createdAt: number;
  createdBy: string;
  description: string;
  tags: string[];
}

export interface SubjectRecord {
  id: bigint;
  subject: string;
  compatibility: CompatibilityMode;
  versions: SchemaVersionRecord[];
  latest: number;
}

/** The broker accepts these aliases (danube-schema/src/types.rs). */
export function parseSchemaKind(s: string): SchemaKind | undefined {
  switch (s.toLowerCase()) {
    case 'bytes':
      return 'bytes';
    case 'string':
      return 'string';
    case 'number':
    case 'int64':
    case 'int':
    case 'float':
    case 'double':
      return 'number';
    case 'avro':
      return 'avro';
    case 'json_schema':
    case 'json':
      return 'json_schema';
    case 'protobuf':
    case 'proto':
      return 'protobuf';
    default:
      return undefined;
  }
}

/** serde_json's canonical form: keys sorted (BTreeMap), no whitespace. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const sha = (s: string): string => `sha256:${createHash('sha256').update(s).digest('hex')}`;

/**
 * Subjects with numbered versions, as `danube-schema`'s registry keeps them: one
 * schema id per subject, versions from 1, identical schemas (same fingerprint)
 * deduplicated, compatibility checked against the latest version (backward by default).
 */
export class SchemaRegistry {
  readonly subjects = new Map<string, SubjectRecord>();
  private readonly byId = new Map<bigint, string>();
  private nextId = 1n;
  private readonly ajv = new Ajv({ strict: false, allErrors: false });
  private readonly validators = new Map<string, ValidateFunction>();

  copyFrom(other: SchemaRegistry): void {
    for (const rec of other.subjects.values()) this.restore(rec);
  }

  restore(rec: SubjectRecord): void {
    this.subjects.set(rec.subject, rec);
    this.byId.set(rec.id, rec.subject);
    if (rec.id >= this.nextId) this.nextId = rec.id + 1n;
  }

  hasSubject(subject: string): boolean {
    return this.subjects.has(subject);
  }

  /** Parses a definition; throws the registry's own messages. */
  parse(kindName: string, bytes: Uint8Array): { kind: SchemaKind; raw: string; fingerprint: string } {
    const kind = parseSchemaKind(kindName);
    if (!kind) throw new Error(`Unknown schema type: ${kindName}`);
    if (kind === 'bytes' || kind === 'string' || kind === 'number') return { kind, raw: '', fingerprint: kind };
    const raw = Buffer.from(bytes).toString('utf8');
    if (kind === 'protobuf') return { kind, raw, fingerprint: sha(raw) };
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      throw new Error(`Invalid JSON in schema: ${(err as Error).message}`);
    }
    if (kind === 'json_schema') {
      try {
        this.ajv.compile(value as object);
      } catch (err) {
        throw new Error(`Invalid JSON Schema: ${(err as Error).message}`);
      }
    }
    return { kind, raw, fingerprint: sha(canonical(value)) };
  }

  register(req: { subject: string; schemaType: string; definition: Uint8Array; description: string; createdBy: string; tags: string[] }) {
    try {
      const parsed = this.parse(req.schemaType, req.definition);
      const existing = this.subjects.get(req.subject);
      const version: Omit<SchemaVersionRecord, 'version'> = {
        ...parsed,
        createdAt: Math.floor(Date.now() / 1000),
        createdBy: req.createdBy,
        description: req.description,
        tags: [...req.tags],
      };
      if (!existing) {
        const rec: SubjectRecord = { id: this.nextId++, subject: req.subject, compatibility: 'backward', versions: [{ ...version, version: 1 }], latest: 1 };
        this.restore(rec);
        return { schemaId: rec.id, version: 1, isNewVersion: true, fingerprint: parsed.fingerprint };
      }
      const same = existing.versions.find((v) => v.fingerprint === parsed.fingerprint);
      if (same) return { schemaId: existing.id, version: same.version, isNewVersion: false, fingerprint: same.fingerprint };
      const errors = this.compatibility(existing, parsed.kind, parsed.raw, existing.compatibility);
      if (errors.length > 0) {
        const mode = existing.compatibility[0]!.toUpperCase() + existing.compatibility.slice(1);
        throw new Error(`Schema is not compatible with subject '${req.subject}' (mode: ${mode}): ${errors.join('; ')}`);
      }
      const next = existing.latest + 1;
      existing.versions.push({ ...version, version: next });
      existing.latest = next;
      return { schemaId: existing.id, version: next, isNewVersion: true, fingerprint: parsed.fingerprint };
    } catch (err) {
      throw internal(`Failed to register schema: ${(err as Error).message}`);
    }
  }

  compatibility(rec: SubjectRecord, kind: SchemaKind, raw: string, mode: CompatibilityMode): string[] {
    const latest = rec.versions.at(-1);
    if (!latest || mode === 'none') return [];
    const k = kind === 'json_schema' && latest.kind === 'json_schema' ? 'json_schema' : kind === 'avro' && latest.kind === 'avro' ? 'avro' : 'other';
    return compatibilityErrors(k, latest.raw, raw, mode);
  }

  byIdOrThrow(id: bigint, version?: number): { rec: SubjectRecord; ver: SchemaVersionRecord } {
    const subject = this.byId.get(id);
    const rec = subject === undefined ? undefined : this.subjects.get(subject);
    const ver = rec && (version === undefined ? rec.versions.at(-1) : rec.versions.find((v) => v.version === version));
    if (!rec || !ver) throw notFound(`Schema not found for ID: ${id}`);
    return { rec, ver };
  }

  /** `GetSchemaResponse.schema_definition`: the registry's internal enum as serde JSON. */
  static definitionJson(ver: SchemaVersionRecord): Buffer {
    switch (ver.kind) {
      case 'bytes':
        return Buffer.from('"Bytes"');
      case 'string':
        return Buffer.from('"String"');
      case 'number':
        return Buffer.from('"Number"');
      case 'avro':
        return Buffer.from(JSON.stringify({ Avro: { raw_schema: ver.raw, fingerprint: ver.fingerprint } }));
      case 'json_schema':
        return Buffer.from(JSON.stringify({ JsonSchema: { raw_schema: ver.raw, fingerprint: ver.fingerprint } }));
      case 'protobuf':
        return Buffer.from(JSON.stringify({ Protobuf: { raw_proto: ver.raw, message_name: 'DefaultMessage', fingerprint: ver.fingerprint } }));
    }
  }

  /** Topic validation policy on publish (danube-schema/src/topic_schema.rs). */
  enforce(topic: Topic, msg: StreamMessage): void {
    const strict = topic.validationPolicy === 'enforce';
    const fail = (m: string): void => {
      if (strict) throw permissionDenied(`Unable to publish the message: ${m}`);
    };
    const subject = topic.schemaSubject;
    if (!subject) return fail(`Topic ${topic.name} requires schema but none is configured`);
    if (msg.schemaId === undefined) {
      return fail(`Message missing schema_id for topic ${topic.name} (expected subject: ${subject})`);
    }
    const owner = this.byId.get(msg.schemaId);
    if (owner === undefined) throw permissionDenied(`Unable to publish the message: Schema ID ${msg.schemaId} not found in registry`);
    if (owner !== subject) {
      return fail(
        `Schema subject mismatch for topic ${topic.name}: message schema_id=${msg.schemaId} belongs to subject '${owner}', but topic requires '${subject}'`,
      );
    }
    if (!topic.enablePayloadValidation) return;
    const rec = this.subjects.get(owner)!;
    const ver = rec.versions.find((v) => v.version === (msg.schemaVersion ?? 1)) ?? rec.versions.at(-1)!;
    if (ver.kind !== 'json_schema') return;
    const key = `${rec.id}@${ver.version}`;
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(JSON.parse(ver.raw) as object);
      this.validators.set(key, validate);
    }
    let payload: unknown;
    try {
      payload = JSON.parse(Buffer.from(msg.payload).toString('utf8'));
    } catch {
      return fail(`payload of a message on ${topic.name} is not valid JSON`);
    }
    if (!validate(payload)) fail(`payload does not match schema '${owner}' v${ver.version}: ${this.ajv.errorsText(validate.errors)}`);
  }
}
