import { defineSource, type Source } from '../../source/define-source.js';
import type { HttpPollerOptions } from './options.js';
import { HttpPoller, type HttpPollerCheckpoint, type HttpPollerDeps } from './poller.js';

/**
 * The HTTP API poller as a source: each scheduled run reads pages from where the last one
 * stopped until the API has nothing new (or asks to wait), publishing every item as a JSON
 * record and committing the cursor only after the broker accepted them.
 *
 * @example
 * export const tickets = httpPollerSource({ name: 'tickets', topic: '/default/tickets',
 *   url: 'https://api.example/tickets', itemsPath: '$.data', idField: 'id', keyField: 'customer_id',
 *   cursor: { type: 'link' }, headers: { authorization: `Bearer ${token}` } });
 * export const handler = lambdaSource(tickets, { client, store });
 */
export function httpPollerSource(options: HttpPollerOptions, deps: HttpPollerDeps = {}): Source<HttpPollerCheckpoint> {
  const poller = new HttpPoller(options, deps);
  const { config } = poller;
  return defineSource<HttpPollerCheckpoint>({
    name: config.name,
    topic: config.topic,
    ordering: config.ordering,
    ...(config.partitions !== undefined ? { partitions: config.partitions } : {}),
    poll: ({ checkpoint, signal, logger }) => poller.poll(checkpoint, signal, logger),
  });
}
