import type {
  GetSchemaResponse,
  GetTopicSchemaConfigResponse,
  RegisterSchemaResponse,
  SchemaRegistryClient,
  SchemaVersionInfo,
  SubjectSummary,
} from '../generated/danube/SchemaRegistry.js';
import type { AdminConnection, StubMethod } from './connection.js';

export interface RegisterSchemaInput {
  /** `json_schema`, `avro`, `protobuf`, `string`, `bytes` or `number`. */
  type: string;
  /** The schema text (empty for `string` and `bytes`). */
  definition?: string | Uint8Array;
  description?: string;
  tags?: string[];
}

export interface TopicSchemaSettings {
  subject: string;
  /** `none`, `warn` or `enforce`. */
  validationPolicy: string;
  /** Under `enforce`, also check JSON payloads against the JSON Schema. */
  payloadValidation?: boolean;
}

/**
 * Schema administration through the admin port (the broker serves `danube_schema.SchemaRegistry` there too).
 *
 * @example
 * await admin.schemas.register('orders', { type: 'json_schema', definition: JSON.stringify(schema) });
 * await admin.schemas.configureTopic('/default/orders', { subject: 'orders', validationPolicy: 'enforce' });
 */
export class SchemasAdmin {
  constructor(private readonly conn: AdminConnection) {}

  private rpc<Req, Res>(name: string, method: (c: SchemaRegistryClient) => unknown, request: Req): Promise<Res> {
    const client = this.conn.schemas;
    return this.conn.call(name, client, method(client) as StubMethod<Req, Res>, request);
  }

  register(subject: string, input: RegisterSchemaInput): Promise<RegisterSchemaResponse> {
    const def = input.definition ?? '';
    return this.rpc('RegisterSchema', (c) => c.registerSchema, {
      subject,
      schemaType: input.type,
      schemaDefinition: typeof def === 'string' ? Buffer.from(def) : def,
      description: input.description ?? '',
      createdBy: 'danube-connect-admin',
      tags: input.tags ?? [],
    });
  }

  latest(subject: string): Promise<GetSchemaResponse> {
    return this.rpc('GetLatestSchema', (c) => c.getLatestSchema, { subject });
  }

  get(schemaId: bigint, version?: number): Promise<GetSchemaResponse> {
    return this.rpc('GetSchema', (c) => c.getSchema, { schemaId, version });
  }

  async versions(subject: string): Promise<SchemaVersionInfo[]> {
    return (await this.rpc<object, { versions: SchemaVersionInfo[] }>('ListVersions', (c) => c.listVersions, { subject })).versions;
  }

  async subjects(): Promise<SubjectSummary[]> {
    return (await this.rpc<object, { subjects: SubjectSummary[] }>('ListSubjects', (c) => c.listSubjects, {})).subjects;
  }

  checkCompatibility(subject: string, input: RegisterSchemaInput & { mode?: string }): Promise<{ isCompatible: boolean; errors: string[] }> {
    const def = input.definition ?? '';
    return this.rpc('CheckCompatibility', (c) => c.checkCompatibility, {
      subject,
      newSchemaDefinition: typeof def === 'string' ? Buffer.from(def) : def,
      schemaType: input.type,
      compatibilityMode: input.mode,
    });
  }

  /** `none`, `backward`, `forward` or `full`. */
  async setCompatibility(subject: string, mode: string): Promise<void> {
    await this.rpc('SetCompatibilityMode', (c) => c.setCompatibilityMode, { subject, compatibilityMode: mode });
  }

  async deleteVersion(subject: string, version: number): Promise<void> {
    await this.rpc('DeleteSchemaVersion', (c) => c.deleteSchemaVersion, { subject, version });
  }

  /** Assigns a subject to a topic with a validation policy (overrides what the first producer set). */
  async configureTopic(topic: string, settings: TopicSchemaSettings): Promise<void> {
    await this.rpc('ConfigureTopicSchema', (c) => c.configureTopicSchema, {
      topicName: topic,
      schemaSubject: settings.subject,
      validationPolicy: settings.validationPolicy,
      enablePayloadValidation: settings.payloadValidation ?? false,
    });
  }

  async updateTopicValidation(topic: string, validationPolicy: string, payloadValidation = false): Promise<void> {
    await this.rpc('UpdateTopicValidationPolicy', (c) => c.updateTopicValidationPolicy, {
      topicName: topic,
      validationPolicy,
      enablePayloadValidation: payloadValidation,
    });
  }

  topicConfig(topic: string): Promise<GetTopicSchemaConfigResponse> {
    return this.rpc('GetTopicSchemaConfig', (c) => c.getTopicSchemaConfig, { topicName: topic });
  }
}
