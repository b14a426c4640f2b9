// The deploy-time provisioning step: a CloudFormation custom resource backed by a Lambda
// function. CloudFormation creates it before the schedules, APIs and relay (they depend on it),
// so that every bound topic and relay subscription exists before a source publishes.
import { DanubeAdmin } from '../admin/index.js';
import { DanubeClient } from '../client/client.js';
import type { Logger } from '../core/logger.js';
import { parseRelayConfig } from '../relay/parse-config.js';
import { resolveDanubeConnection, type SecretReader } from '../runtime/connection.js';
import { ENV } from './environment.js';
import { adminUrlFor, provisionBindings, type ProvisionReport } from './provision.js';

/** The part of a CloudFormation custom resource request the handler reads. */
export interface ProvisionResourceEvent {
  RequestType: 'Create' | 'Update' | 'Delete';
  ResponseURL: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  PhysicalResourceId?: string;
  /** `RelayConfig`: the relay configuration (JSON), as the plugin writes it into the template. */
  ResourceProperties: { RelayConfig?: string };
}

export interface ProvisionResourceDeps {
  env: Record<string, string | undefined>;
  logger: Logger;
  /** Time left before the function times out: the answer must reach CloudFormation before. */
  remainingMs: () => number;
  secretReader?: SecretReader;
  /** Sends the answer to CloudFormation (a PUT to the pre-signed ResponseURL by default). */
  respond?: (url: string, body: string) => Promise<void>;
}

/** Time kept to answer CloudFormation after giving up. */
const ANSWER_MARGIN_MS = 5_000;

async function put(url: string, body: string): Promise<void> {
  // The pre-signed URL was signed without a content type: send none.
  const res = await fetch(url, { method: 'PUT', body, headers: { 'content-type': '' } });
  if (!res.ok) throw new Error(`CloudFormation answered ${res.status} to the custom resource response`);
}

/**
 * Handles one custom resource request: on Create and Update provisions the bindings of
 * `RelayConfig` and answers SUCCESS, or FAILED with the reason (the deployment then stops
 * before anything publishes); on Delete answers SUCCESS and leaves topics and subscriptions.
 *
 * @example
 * export const handler = (event, context) => handleProvisionResource(event, { env: process.env, logger, remainingMs: () => context.getRemainingTimeInMillis() });
 */
export async function handleProvisionResource(event: ProvisionResourceEvent, deps: ProvisionResourceDeps): Promise<ProvisionReport | undefined> {
  const respond = deps.respond ?? put;
  const answer = (status: 'SUCCESS' | 'FAILED', reason: string, data: Record<string, string> = {}) =>
    respond(
      event.ResponseURL,
      JSON.stringify({
        Status: status,
        // CloudFormation shows the reason in the stack events; it is limited to 4 KiB.
        Reason: reason.slice(0, 3_000),
        PhysicalResourceId: event.PhysicalResourceId ?? `danube-provision-${event.LogicalResourceId}`,
        StackId: event.StackId,
        RequestId: event.RequestId,
        LogicalResourceId: event.LogicalResourceId,
        Data: data,
      }),
    );
  if (event.RequestType === 'Delete') {
    await answer('SUCCESS', 'topics and subscriptions are kept');
    return undefined;
  }
  let admin: DanubeAdmin | undefined;
  let client: DanubeClient | undefined;
  try {
    const { config } = parseRelayConfig(event.ResourceProperties.RelayConfig ?? '');
    const connection = await resolveDanubeConnection(deps.env, deps.secretReader);
    const adminUrl = deps.env[ENV.adminUrl] || adminUrlFor(connection.serviceUrl);
    admin = new DanubeAdmin({ adminUrl, ...(connection.token ? { token: connection.token } : {}), ...(connection.tls ? { tls: connection.tls } : {}) });
    client = new DanubeClient({ ...connection, logger: deps.logger });
    const budget = Math.max(1_000, deps.remainingMs() - ANSWER_MARGIN_MS);
    let timer: NodeJS.Timeout | undefined;
    const report = await Promise.race([
      provisionBindings(config.bindings, { admin, client, logger: deps.logger }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`provisioning did not finish within ${budget} ms (is ${adminUrl} reachable from the function?)`)), budget);
      }),
    ]).finally(() => clearTimeout(timer));
    const subscriptions = report.topics.reduce((n, t) => n + t.subscriptions.length, 0);
    const summary = `${report.topics.length} topic(s), ${subscriptions} subscription(s) provisioned through ${adminUrl}`;
    deps.logger.info({ warnings: report.warnings }, summary);
    await answer('SUCCESS', [summary, ...report.warnings].join('; '), { Topics: String(report.topics.length), Subscriptions: String(subscriptions) });
    return report;
  } catch (err) {
    deps.logger.error({ err: (err as Error).message }, 'provisioning failed');
    await answer('FAILED', `Danube provisioning failed: ${(err as Error).message}`);
    return undefined;
  } finally {
    admin?.close();
    await client?.close();
  }
}
