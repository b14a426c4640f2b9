import type { ServiceDefinition, UntypedServiceImplementation } from '@grpc/grpc-js';
import { ConsumerServiceService, DiscoveryService, HealthCheckService, ProducerServiceService } from '../../generated/danube/DanubeApi.js';
import { SchemaRegistryService } from '../../generated/danube/SchemaRegistry.js';
import { consumerService } from './consumer-service.js';
import { discoveryService, healthService } from './discovery-service.js';
import type { NodeContext } from './gate.js';
import { producerService } from './producer-service.js';
import { schemaService } from './schema-service.js';

export type ServiceBinding = [definition: ServiceDefinition, implementation: UntypedServiceImplementation];

/** Every service a broker serves on its client port, bound to one broker. */
export function allServices(ctx: NodeContext): ServiceBinding[] {
  return [
    [ProducerServiceService, producerService(ctx)],
    [ConsumerServiceService, consumerService(ctx)],
    [DiscoveryService, discoveryService(ctx)],
    [HealthCheckService, healthService(ctx)],
    [SchemaRegistryService, schemaService(ctx)],
  ];
}
