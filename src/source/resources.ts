import { DynamoDbCheckpointStore } from '../checkpoint/dynamodb-store.js';
import { DanubeClient } from '../client/client.js';
import type { Logger } from '../core/logger.js';
import { LOCAL_AWS, type SourceSettings } from './settings.js';

/** A client and a checkpoint store made from settings; reused across warm invocations. */
export interface SourceResources {
  client: DanubeClient;
  store: DynamoDbCheckpointStore;
  /** Closes both. */
  close(): Promise<void>;
}

/**
 * Opens the Danube client and the DynamoDB checkpoint store that settings describe.
 *
 * @example
 * const { client, store } = createSourceResources(sourceSettingsFromEnv(process.env), logger);
 */
export function createSourceResources(settings: SourceSettings, logger?: Logger): SourceResources {
  const client = new DanubeClient({
    serviceUrl: settings.serviceUrl,
    ...(settings.token ? { token: settings.token } : {}),
    ...(settings.tlsCa ? { tls: { ca: settings.tlsCa } } : {}),
    ...(logger ? { logger } : {}),
  });
  const store = new DynamoDbCheckpointStore({
    tableName: settings.checkpointTable,
    ...(settings.dynamoDbEndpoint ? { endpoint: settings.dynamoDbEndpoint } : {}),
    ...(settings.localAws ? LOCAL_AWS : {}),
  });
  return {
    client,
    store,
    async close() {
      store.close();
      await client.close();
    },
  };
}
