import type { SchemaRegistryServer } from '../../generated/danube/SchemaRegistry.js';
import { internal } from '../errors.js';
import { unary, type NodeContext } from './gate.js';

export function schemaService(ctx: NodeContext): SchemaRegistryServer {
  const todo = () => {
    throw internal('not implemented');
  };
  return {
    registerSchema: unary(ctx, 'RegisterSchema', todo),
    getSchema: unary(ctx, 'GetSchema', todo),
    getLatestSchema: unary(ctx, 'GetLatestSchema', todo),
    listVersions: unary(ctx, 'ListVersions', todo),
    checkCompatibility: unary(ctx, 'CheckCompatibility', todo),
    deleteSchemaVersion: unary(ctx, 'DeleteSchemaVersion', todo),
    setCompatibilityMode: unary(ctx, 'SetCompatibilityMode', todo),
    configureTopicSchema: unary(ctx, 'ConfigureTopicSchema', todo),
    updateTopicValidationPolicy: unary(ctx, 'UpdateTopicValidationPolicy', todo),
    getTopicSchemaConfig: unary(ctx, 'GetTopicSchemaConfig', todo),
    listSubjects: unary(ctx, 'ListSubjects', todo),
  };
}
