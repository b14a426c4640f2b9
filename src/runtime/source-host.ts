import type { CheckpointStore } from '../checkpoint/store.js';
import type { Logger } from '../core/logger.js';
import type { SourceClient } from '../source/publisher.js';
import { createSourceResources, type SourceResources } from '../source/resources.js';
import { sourceSettingsFromEnv } from '../source/settings.js';
import { danubeConnectionFromEnv, type SecretReader } from './connection.js';

export { runSource } from '../source/runner.js';

/** What a source adapter may be handed instead of building it from the environment. */
export interface SourceHostOptions {
  client?: SourceClient;
  store?: CheckpointStore;
  service?: string;
  secretReader?: SecretReader;
}

/** The client, store and checkpoint prefix of a source run. */
export interface SourceRunParts {
  client: SourceClient;
  store: CheckpointStore;
  service: string;
}

/**
 * What the source adapters share: the client and checkpoint store, from the options or else from
 * the environment, made on the first run and kept while the host stays warm. Adapters load this
 * module on their first run, so importing an adapter costs neither gRPC nor the AWS SDK.
 */
export class SourceHost {
  private resources: SourceResources | undefined;

  constructor(private readonly options: SourceHostOptions) {}

  parts(env: Record<string, unknown>, logger: Logger): SourceRunParts {
    const { client, store, service } = this.options;
    if (client && store && service) return { client, store, service };
    const settings = sourceSettingsFromEnv(env);
    const reader = this.options.secretReader;
    this.resources ??= createSourceResources(settings, {
      logger,
      ...(client ? { client } : { connection: danubeConnectionFromEnv(env, reader ? { reader } : {}) }),
      ...(store ? { store } : {}),
    });
    return { client: this.resources.client, store: this.resources.store, service: service ?? settings.service };
  }

  /** Closes the client and store made from the environment; what was handed in stays open. */
  async dispose(): Promise<void> {
    const made = this.resources;
    this.resources = undefined;
    await made?.close();
  }
}
