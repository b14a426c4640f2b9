import { DanubeAdmin } from '../admin/index.js';
import type { Logger } from '../core/logger.js';
import type { BindingConfig } from '../relay/config-schema.js';
import { provisionBindings, type ProvisionClient, type ProvisionReport } from '../serverless/provision.js';

export interface DevProvisionOptions {
  adminUrl: string;
  token?: string;
  client: ProvisionClient;
  /** The embedded broker must be provisioned; an external one may be out of reach (warned). */
  required: boolean;
  logger: Logger;
  /** Dead-letter topics besides the bindings' (the sources'): created with their inspection subscription. */
  deadLetterTopics?: string[];
}

/**
 * Provisioning for `npm start`: before the sources run, every bound topic and relay subscription
 * exists with its settings, and every dead-letter topic with its inspection subscription. Against an external broker whose admin API cannot be reached it
 * warns and goes on: the relay still subscribes as soon as the topic exists (within a second).
 *
 * @example
 * await provisionForDev(config.bindings, { adminUrl: broker.adminUrl, client, required: true, logger });
 */
export async function provisionForDev(bindings: readonly BindingConfig[], options: DevProvisionOptions): Promise<ProvisionReport | undefined> {
  const extra = options.deadLetterTopics ?? [];
  if (bindings.length === 0 && extra.length === 0) return undefined;
  const admin = new DanubeAdmin({ adminUrl: options.adminUrl, ...(options.token ? { token: options.token } : {}) });
  try {
    const report = await provisionBindings(
      bindings,
      { admin, client: options.client, logger: options.logger },
      {
        ...(options.required ? {} : { attempts: 1 }),
        ...(extra.length ? { deadLetterTopics: extra } : {}),
      },
    );
    options.logger.info({ topics: report.topics.length, adminUrl: options.adminUrl }, 'bindings provisioned');
    return report;
  } catch (err) {
    if (options.required) throw err;
    options.logger.warn(
      { adminUrl: options.adminUrl, err: (err as Error).message },
      'topics and subscriptions not provisioned (set DANUBE_ADMIN_URL to the broker admin API): records published before the relay subscribes are not delivered to it',
    );
    return undefined;
  } finally {
    admin.close();
  }
}
