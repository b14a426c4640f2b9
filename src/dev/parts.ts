// What the running local pipeline hands to tools that look inside it (the web console): its
// client, broker, relay and the functions it loaded, without their secrets.
import type { Broker } from '../broker/index.js';
import type { DynamoDbCheckpointStore } from '../checkpoint/dynamodb-store.js';
import type { DanubeClient } from '../client/client.js';
import type { BindingConfig } from '../relay/config-schema.js';
import type { Relay } from '../relay/relay.js';

/** A scheduled function of the pipeline and, when its module exports one, the source it runs. */
export interface DevSourceFunction {
  /** The serverless.yml function key. */
  function: string;
  source?: { name: string; topic?: string; deadLetterTopic?: string };
}

export interface DevParts {
  client: DanubeClient;
  /** The embedded broker, when the pipeline runs one (not when pointed at a real cluster). */
  broker: Broker | undefined;
  /** The broker's admin API. */
  adminUrl: string;
  /** The checkpoint key prefix the sources use (the service name). */
  service: string;
  relay: Relay | undefined;
  /** The relay's bindings as configured. */
  bindings: readonly BindingConfig[];
  /** Binding name → the serverless.yml key of its sink function. */
  functionOfBinding: ReadonlyMap<string, string>;
  sources: readonly DevSourceFunction[];
  /** A checkpoint store on the pipeline's table; the caller closes it. */
  checkpointStore(): DynamoDbCheckpointStore;
}
