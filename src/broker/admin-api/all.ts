import { BrokerAdminService, ClusterAdminService, NamespaceAdminService, SecurityAdminService, TopicAdminService } from '../../generated/danube/DanubeAdmin.js';
import { SchemaRegistryService } from '../../generated/danube/SchemaRegistry.js';
import type { ServiceBinding } from '../services/all.js';
import { schemaService } from '../services/schema-service.js';
import { brokerAdminService, clusterAdminService } from './broker-admin.js';
import type { AdminContext } from './context.js';
import { namespaceAdminService } from './namespace-admin.js';
import { securityAdminService } from './security-admin.js';
import { subscriptionAdminRpcs } from './subscription-admin.js';
import { topicAdminRpcs } from './topic-admin.js';

/** Every service a broker serves on its admin port, as the real one: the five admin services and the schema registry. */
export function adminServices(ctx: AdminContext): ServiceBinding[] {
  return [
    [BrokerAdminService, brokerAdminService(ctx)],
    [ClusterAdminService, clusterAdminService(ctx)],
    [NamespaceAdminService, namespaceAdminService(ctx)],
    [TopicAdminService, { ...topicAdminRpcs(ctx), ...subscriptionAdminRpcs(ctx) }],
    [SecurityAdminService, securityAdminService(ctx)],
    [SchemaRegistryService, schemaService(ctx)],
  ];
}
