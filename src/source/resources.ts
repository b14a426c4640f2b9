import type { CheckpointStore } from '../checkpoint/store.js';
import { DynamoDbCheckpointStore } from '../checkpoint/dynamodb-store.js';
import { DanubeClient } from '../client/client.js';
import type { DanubeClientOptions } from '../client/client-options.js';
import { ConfigError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { SourceClient } from './publisher.js';
import { DANUBE_ENV, LOCAL_AWS } from '../core/environment.js';
import type { SourceSettings } from './settings.js';

/** A client and a checkpoint store for source runs; reused across warm invocations. */
export interface SourceResources {
  client: SourceClient;
  store: CheckpointStore;
  /** Closes what was made here; a client or store passed in is left to its owner. */
  close(): Promise<void>;
}

/** How the client reaches Danube when the caller knows more than the settings (a token supplier). */
export type SourceConnection = Pick<DanubeClientOptions, 'serviceUrl' | 'token' | 'tokenSupplier' | 'tls'>;

export interface SourceResourcesOptions {
  /**
   * Replaces the settings' `serviceUrl`, `token` and `tlsCa`. The runtime adapters pass one from
   * `danubeConnectionFromEnv`, whose `tokenSupplier` reads a token stored in SSM or Secrets
   * Manager (this layer reads no AWS secrets itself).
   */
  connection?: SourceConnection;
  /** Use this client instead of making one (no connection settings are needed then). */
  client?: SourceClient;
  /** Use this store instead of the DynamoDB table of the settings. */
  store?: CheckpointStore;
  logger?: Logger;
}

/**
 * Opens the Danube client and the DynamoDB checkpoint store that settings describe, except the
 * ones the caller hands over.
 *
 * @example
 * const settings = sourceSettingsFromEnv(process.env);
 * const { client, store } = createSourceResources(settings, { connection: danubeConnectionFromEnv(process.env) });
 */
export function createSourceResources(settings: SourceSettings, options: SourceResourcesOptions | Logger = {}): SourceResources {
  // The second argument used to be the logger; a logger has `child`, the options object never does.
  const opts: SourceResourcesOptions = 'child' in options ? { logger: options } : options;
  const made: { client?: DanubeClient; store?: DynamoDbCheckpointStore } = {};
  const client =
    opts.client ?? (made.client = new DanubeClient({ ...connectionOf(settings, opts.connection), ...(opts.logger ? { logger: opts.logger } : {}) }));
  const store =
    opts.store ??
    (made.store = new DynamoDbCheckpointStore({
      tableName: settings.checkpointTable,
      ...(settings.dynamoDbEndpoint ? { endpoint: settings.dynamoDbEndpoint } : {}),
      ...(settings.localAws ? LOCAL_AWS : {}),
    }));
  return {
    client,
    store,
    async close() {
      made.store?.close();
      await made.client?.close();
    },
  };
}

function connectionOf(settings: SourceSettings, connection: SourceConnection | undefined): SourceConnection {
  if (connection) return connection;
  if (!settings.token && (settings.tokenSsmParameter || settings.tokenSecretId)) {
    // Connecting without the token would only fail later as "unauthenticated", far from the cause.
    const variable = settings.tokenSsmParameter ? DANUBE_ENV.tokenSsmParameter : DANUBE_ENV.tokenSecretId;
    throw new ConfigError(
      `${variable} is set, but nothing here reads it: run the source through lambdaSource / scheduledSource, or pass { connection: danubeConnectionFromEnv(env) }`,
      [variable],
    );
  }
  return {
    serviceUrl: settings.serviceUrl,
    ...(settings.token ? { token: settings.token } : {}),
    ...(settings.tlsCa ? { tls: { ca: settings.tlsCa } } : {}),
  };
}
