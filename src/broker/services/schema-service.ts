import type { GetSchemaResponse, SchemaRegistryServer, SchemaVersionInfo } from '../../generated/danube/SchemaRegistry.js';
import { failedPrecondition, internal, invalidArgument, notFound } from '../errors.js';
import { parseCompatibilityMode } from '../schema-compat.js';
import { SchemaRegistry, type SchemaVersionRecord, type SubjectRecord } from '../schema-registry.js';
import type { ValidationPolicy } from '../topic.js';
import { CLUSTER, topicResource, type Permission, type Resource } from '../rbac.js';
import { unary, type NodeContext } from './gate.js';

function response(rec: SubjectRecord, ver: SchemaVersionRecord): GetSchemaResponse {
  return {
    schemaId: rec.id,
    version: ver.version,
    subject: rec.subject,
    schemaType: ver.kind,
    schemaDefinition: SchemaRegistry.definitionJson(ver),
    description: ver.description,
    createdAt: BigInt(ver.createdAt),
    createdBy: ver.createdBy,
    tags: ver.tags,
    fingerprint: ver.fingerprint,
    compatibilityMode: rec.compatibility,
  };
}

function parsePolicy(s: string): ValidationPolicy {
  const p = s.toLowerCase();
  if (p === 'none' || p === 'warn' || p === 'enforce') return p;
  throw invalidArgument(`Invalid validation policy: '${s}'. Must be 'none', 'warn', or 'enforce'`);
}

type SchemaRequest = object & { subject?: string; topicName?: string };

/**
 * Every registry RPC needs ManageSchema, as in the real broker: on the subject, on the
 * topic for the topic settings, on the cluster for GetSchema (by id) and ListSubjects.
 */
function schemaAuthz(rpc: string): (req: SchemaRequest) => [Permission, Resource] {
  if (rpc === 'GetSchema' || rpc === 'ListSubjects') return () => ['ManageSchema', CLUSTER];
  if (rpc.includes('Topic')) return (req) => ['ManageSchema', topicResource(req.topicName ?? '')];
  return (req) => ['ManageSchema', { kind: 'SchemaSubject', name: req.subject ?? '' }];
}

/** `danube_schema.SchemaRegistry`, served on the client port and on the admin port. */
export function schemaService(ctx: NodeContext): SchemaRegistryServer {
  const state = ctx.state;
  const u = <Req, Res>(rpc: string, handler: (req: Req) => Res) => unary<Req, Res>(ctx, rpc, handler, schemaAuthz(rpc) as (req: Req) => [Permission, Resource]);
  const reg = state.schemas;
  const saved = <T>(v: T): T => {
    state.persistence?.topicChanged(null);
    return v;
  };
  const localTopic = (name: string) => {
    const t = state.topics.get(name);
    if (!t || t.owner !== ctx.index) throw notFound(`Topic '${name}' not found on this broker`);
    return t;
  };
  return {
    registerSchema: u('RegisterSchema', (req) =>
      saved(
        reg.register({
          subject: req.subject,
          schemaType: req.schemaType,
          definition: req.schemaDefinition,
          description: req.description,
          createdBy: req.createdBy,
          tags: req.tags,
        }),
      ),
    ),
    getSchema: u('GetSchema', (req) => {
      const { rec, ver } = reg.byIdOrThrow(req.schemaId, req.version);
      return response(rec, ver);
    }),
    getLatestSchema: u('GetLatestSchema', (req) => {
      const rec = reg.subjects.get(req.subject);
      const ver = rec?.versions.at(-1);
      if (!rec || !ver) throw notFound(`Schema not found for subject: ${req.subject}`);
      return response(rec, ver);
    }),
    listVersions: u('ListVersions', (req) => {
      const rec = reg.subjects.get(req.subject);
      if (!rec) throw notFound(`Subject not found: ${req.subject}`);
      const versions: SchemaVersionInfo[] = rec.versions.map((v) => ({
        version: v.version,
        createdAt: BigInt(v.createdAt),
        createdBy: v.createdBy,
        description: v.description,
        fingerprint: v.fingerprint,
        schemaId: rec.id,
      }));
      return { versions };
    }),
    checkCompatibility: u('CheckCompatibility', (req) => {
      const rec = reg.subjects.get(req.subject);
      try {
        const parsed = reg.parse(req.schemaType, req.newSchemaDefinition);
        if (!rec) throw new Error(`Subject not found: ${req.subject}`);
        const mode = (req.compatibilityMode && parseCompatibilityMode(req.compatibilityMode)) || rec.compatibility;
        const errors = reg.compatibility(rec, parsed.kind, parsed.raw, mode);
        return { isCompatible: errors.length === 0, errors };
      } catch (err) {
        throw internal(`Failed to check compatibility: ${(err as Error).message}`);
      }
    }),
    deleteSchemaVersion: u('DeleteSchemaVersion', (req) => {
      const rec = reg.subjects.get(req.subject);
      const at = rec ? rec.versions.findIndex((v) => v.version === req.version) : -1;
      if (!rec || at < 0) throw internal(`Failed to delete schema version: version ${req.version} of subject ${req.subject} not found`);
      rec.versions.splice(at, 1);
      return saved({ success: true, message: `Deleted version ${req.version} for subject ${req.subject}` });
    }),
    setCompatibilityMode: u('SetCompatibilityMode', (req) => {
      const mode = parseCompatibilityMode(req.compatibilityMode);
      if (!mode) throw invalidArgument(`Invalid compatibility mode: ${req.compatibilityMode}`);
      const rec = reg.subjects.get(req.subject);
      if (!rec) throw internal(`Failed to set compatibility mode: Subject not found: ${req.subject}`);
      rec.compatibility = mode;
      return saved({ success: true, message: `Set compatibility mode to ${req.compatibilityMode} for subject ${req.subject}` });
    }),
    configureTopicSchema: u('ConfigureTopicSchema', (req) => {
      const policy = parsePolicy(req.validationPolicy);
      if (!reg.hasSubject(req.schemaSubject)) {
        throw notFound(`Schema subject '${req.schemaSubject}' not found in registry: Subject not found: ${req.schemaSubject}`);
      }
      const t = localTopic(req.topicName);
      t.schemaSubject = req.schemaSubject;
      t.validationPolicy = policy;
      t.enablePayloadValidation = req.enablePayloadValidation;
      state.persistence?.topicChanged(t);
      const label = policy[0]!.toUpperCase() + policy.slice(1);
      return {
        success: true,
        message: `Topic '${t.name}' configured with schema '${req.schemaSubject}', validation policy '${label}', payload validation ${req.enablePayloadValidation ? 'enabled' : 'disabled'}`,
      };
    }),
    updateTopicValidationPolicy: u('UpdateTopicValidationPolicy', (req) => {
      const policy = parsePolicy(req.validationPolicy);
      const t = localTopic(req.topicName);
      if (!t.schemaSubject) {
        throw failedPrecondition(`Topic '${t.name}' has no schema subject configured. Use ConfigureTopicSchema first.`);
      }
      t.validationPolicy = policy;
      t.enablePayloadValidation = req.enablePayloadValidation;
      state.persistence?.topicChanged(t);
      const label = policy[0]!.toUpperCase() + policy.slice(1);
      return {
        success: true,
        message: `Validation policy updated to '${label}', payload validation ${req.enablePayloadValidation ? 'enabled' : 'disabled'}`,
      };
    }),
    getTopicSchemaConfig: u('GetTopicSchemaConfig', (req) => {
      const t = localTopic(req.topicName);
      const rec = t.schemaSubject ? reg.subjects.get(t.schemaSubject) : undefined;
      return {
        schemaSubject: t.schemaSubject ?? '',
        validationPolicy: t.validationPolicy,
        enablePayloadValidation: t.enablePayloadValidation,
        schemaId: rec?.id ?? 0n,
      };
    }),
    listSubjects: u('ListSubjects', () => ({
      subjects: [...reg.subjects.values()]
        .sort((a, b) => a.subject.localeCompare(b.subject))
        .map((rec) => {
          const latest = rec.versions.at(-1);
          return {
            subject: rec.subject,
            schemaType: latest?.kind ?? '',
            latestVersion: latest?.version ?? 0,
            compatibilityMode: rec.compatibility,
            schemaId: rec.id,
            tags: latest?.tags ?? [],
          };
        }),
    })),
  };
}
