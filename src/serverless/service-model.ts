import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { checkpointTableDefinition } from '../checkpoint/table.js';
import type { ServiceFunction } from './bindings.js';
import { loadCfnYaml } from './cfn-yaml.js';
import type { DanubeServiceOptions } from './options.js';

/** Whether an event list has a `schedule` event. */
export function hasSchedule(fn: ServiceFunction): boolean {
  return (fn.events ?? []).some((e) => e && typeof e === 'object' && 'schedule' in e);
}

/**
 * What a function may do with Danube: `source` (publish, and read/write its checkpoint),
 * `publisher` (publish only, e.g. a webhook) or `none` (a sink: the relay calls it). Functions
 * with a `schedule` event are sources unless they say otherwise with `danubeAccess`.
 *
 * @example
 * functionAccess({ events: [{ schedule: 'rate(1 minute)' }] }); // 'source'
 */
export function functionAccess(fn: ServiceFunction): 'source' | 'publisher' | 'none' {
  if (fn.danubeAccess) return fn.danubeAccess;
  return hasSchedule(fn) ? 'source' : 'none';
}

export function isSourceFunction(fn: ServiceFunction): boolean {
  return functionAccess(fn) === 'source';
}

/** `custom.danube.checkpointTable.name`, or `<service>-<stage>-danube-checkpoints`. */
export function checkpointTableName(danube: DanubeServiceOptions, stackPrefix: string): string {
  return danube.checkpointTable.name ?? `${stackPrefix}-danube-checkpoints`;
}

/**
 * The checkpoint table resource: the DynamoDB table of `infra/checkpoint-table.yml` (the one
 * definition of it), named for this stack. When the fragment is absent, the same table is built
 * from the definition the checkpoint store uses locally.
 */
export function checkpointTableResource(infraDir: string, tableName: string): Record<string, unknown> {
  const path = join(infraDir, 'checkpoint-table.yml');
  if (existsSync(path)) {
    const resources = (loadCfnYaml(path).Resources ?? {}) as Record<string, { Type?: string; Properties?: Record<string, unknown> }>;
    const table = Object.values(resources).find((r) => r.Type === 'AWS::DynamoDB::Table');
    if (table) return { ...table, Properties: { ...table.Properties, TableName: tableName } };
  }
  const def = checkpointTableDefinition(tableName);
  return {
    Type: 'AWS::DynamoDB::Table',
    Properties: {
      TableName: tableName,
      AttributeDefinitions: def.AttributeDefinitions,
      KeySchema: def.KeySchema,
      BillingMode: def.BillingMode,
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    },
  };
}
