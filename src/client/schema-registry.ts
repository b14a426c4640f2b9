import type { Metadata } from '@grpc/grpc-js';
import type {
  CheckCompatibilityResponse,
  GetSchemaResponse,
  ListSubjectsResponse,
  ListVersionsResponse,
  RegisterSchemaResponse,
  SetCompatibilityModeResponse,
} from '../generated/danube/SchemaRegistry.js';
import { backoffDelay, Deadline } from './backoff.js';
import type { ClientContext } from './context.js';
import type { BrokerConnection } from './connection-pool.js';
import { SchemaError, toDanubeError } from './errors.js';
import { callDeadline, unary } from './rpc.js';
import { unwrapSchemaDefinition, type SchemaType } from './schema-types.js';

export type { SchemaType } from './schema-types.js';

export interface RegisterSchemaOptions {
  subject: string;
  type: SchemaType;
  /** The schema text (JSON Schema, Avro JSON, .proto); an object is sent as JSON. */
  definition: string | Uint8Array | object;
  description?: string;
  tags?: string[];
  /** Recorded with the version (default `"danube-client"`, as the Rust client). */
  createdBy?: string;
}

export interface RegisteredSchema {
  schemaId: bigint;
  version: number;
  /** False when an identical schema was already registered (its version is returned). */
  isNewVersion: boolean;
  fingerprint: string;
}

export interface SchemaInfo {
  /** One id per subject: every version of a subject shares it. */
  schemaId: bigint;
  version: number;
  subject: string;
  type: string;
  /** The schema text as registered, unwrapped from the broker's JSON envelope. */
  definition: string;
  /** The bytes the broker returned (its JSON envelope). */
  rawDefinition: Uint8Array;
  description: string;
  createdAt: number;
  createdBy: string;
  tags: string[];
  fingerprint: string;
  compatibilityMode: string;
}

export interface SchemaVersionInfo {
  version: number;
  schemaId: bigint;
  createdAt: number;
  createdBy: string;
  description: string;
  fingerprint: string;
}

export type CompatibilityMode = 'none' | 'backward' | 'forward' | 'full';

/**
 * Client of the broker's schema registry (`danube_schema.SchemaRegistry`), always called on the
 * service URL. Reach it as `client.schemaRegistry`.
 *
 * @example
 * const { schemaId, version } = await client.schemaRegistry.register({
 *   subject: 'orders', type: 'json_schema', definition: { type: 'object', required: ['id'] } });
 * const latest = await client.schemaRegistry.getLatest('orders'); // latest.definition is the text
 */
export class SchemaRegistry {
  constructor(private readonly ctx: ClientContext) {}

  async register(options: RegisterSchemaOptions): Promise<RegisteredSchema> {
    const request = {
      subject: options.subject,
      schemaType: options.type,
      schemaDefinition: definitionBytes(options.definition),
      description: options.description ?? '',
      createdBy: options.createdBy ?? 'danube-client',
      tags: options.tags ?? [],
    };
    const res = await this.call<RegisterSchemaResponse>('register schema', options.subject, (c, md, deadline, cb) =>
      c.schema.registerSchema(request, md, { deadline }, cb),
    );
    return { schemaId: res.schemaId, version: res.version, isNewVersion: res.isNewVersion, fingerprint: res.fingerprint };
  }

  /** A version of the subject with id `schemaId` (latest when `version` is absent). */
  async getSchema(schemaId: bigint, version?: number): Promise<SchemaInfo> {
    const request = version === undefined ? { schemaId } : { schemaId, version };
    return toInfo(
      await this.call<GetSchemaResponse>('get schema', `id ${schemaId}`, (c, md, deadline, cb) => c.schema.getSchema(request, md, { deadline }, cb)),
    );
  }

  async getLatest(subject: string): Promise<SchemaInfo> {
    return toInfo(
      await this.call<GetSchemaResponse>('get latest schema', subject, (c, md, deadline, cb) => c.schema.getLatestSchema({ subject }, md, { deadline }, cb)),
    );
  }

  async listVersions(subject: string): Promise<SchemaVersionInfo[]> {
    const res = await this.call<ListVersionsResponse>('list schema versions', subject, (c, md, deadline, cb) =>
      c.schema.listVersions({ subject }, md, { deadline }, cb),
    );
    return res.versions.map((v) => ({ ...v, createdAt: Number(v.createdAt) }));
  }

  /** Whether `definition` could be registered as the next version of `subject`. */
  async checkCompatibility(options: {
    subject: string;
    type: SchemaType;
    definition: string | Uint8Array | object;
    mode?: CompatibilityMode;
  }): Promise<{ compatible: boolean; errors: string[] }> {
    const request = {
      subject: options.subject,
      schemaType: options.type,
      newSchemaDefinition: definitionBytes(options.definition),
      ...(options.mode ? { compatibilityMode: options.mode } : {}),
    };
    const res = await this.call<CheckCompatibilityResponse>('check schema compatibility', options.subject, (c, md, deadline, cb) =>
      c.schema.checkCompatibility(request, md, { deadline }, cb),
    );
    return { compatible: res.isCompatible, errors: res.errors };
  }

  async setCompatibilityMode(subject: string, mode: CompatibilityMode): Promise<void> {
    const res = await this.call<SetCompatibilityModeResponse>('set compatibility mode', subject, (c, md, deadline, cb) =>
      c.schema.setCompatibilityMode({ subject, compatibilityMode: mode }, md, { deadline }, cb),
    );
    if (!res.success) throw new SchemaError(`set compatibility mode of ${subject} failed: ${res.message}`, { retryable: false });
  }

  async listSubjects(): Promise<{ subject: string; type: string; latestVersion: number; schemaId: bigint; compatibilityMode: string; tags: string[] }[]> {
    const res = await this.call<ListSubjectsResponse>('list subjects', undefined, (c, md, deadline, cb) => c.schema.listSubjects({}, md, { deadline }, cb));
    return res.subjects.map((s) => ({
      subject: s.subject,
      type: s.schemaType,
      latestVersion: s.latestVersion,
      schemaId: s.schemaId,
      compatibilityMode: s.compatibilityMode,
      tags: s.tags,
    }));
  }

  private async call<Res>(
    operation: string,
    what: string | undefined,
    start: (
      c: BrokerConnection,
      md: Metadata,
      deadline: Date,
      cb: (e: import('@grpc/grpc-js').ServiceError | null, r: Res) => void,
    ) => import('@grpc/grpc-js').ClientUnaryCall,
  ): Promise<Res> {
    const deadline = new Deadline(this.ctx.options.requestTimeoutMs, operation, what);
    for (let failures = 0; ; failures++) {
      this.ctx.ensureOpen(operation);
      const connection = this.ctx.pool.get(this.ctx.options.serviceUrl);
      const metadata = await this.ctx.auth.metadata();
      try {
        return await unary<Res>((cb) => start(connection, metadata, callDeadline(deadline), cb));
      } catch (err) {
        const error = toDanubeError(err, operation, what);
        if (!error.retryable || failures >= this.ctx.options.retry.maxRetries) throw error;
        if (!(await deadline.sleep(backoffDelay(failures, this.ctx.options.retry), this.ctx.signal))) throw deadline.error(error);
      }
    }
  }
}

function definitionBytes(definition: string | Uint8Array | object): Buffer {
  if (typeof definition === 'string') return Buffer.from(definition);
  if (definition instanceof Uint8Array) return Buffer.from(definition);
  return Buffer.from(JSON.stringify(definition));
}

function toInfo(res: GetSchemaResponse): SchemaInfo {
  return {
    schemaId: res.schemaId,
    version: res.version,
    subject: res.subject,
    type: res.schemaType,
    definition: unwrapSchemaDefinition(res.schemaDefinition),
    rawDefinition: res.schemaDefinition,
    description: res.description,
    createdAt: Number(res.createdAt),
    createdBy: res.createdBy,
    tags: res.tags,
    fingerprint: res.fingerprint,
    compatibilityMode: res.compatibilityMode,
  };
}
