import { BrokersAdmin } from './brokers.js';
import { AdminConnection } from './connection.js';
import { NamespacesAdmin } from './namespaces.js';
import { parseAdminOptions, type DanubeAdminOptions } from './options.js';
import { SchemasAdmin } from './schemas.js';
import { SecurityAdmin } from './security.js';
import { SubscriptionsAdmin } from './subscriptions.js';
import { TopicsAdmin } from './topics.js';

/**
 * Client of a Danube broker's admin API (`danube_admin.*` on the admin port, default 50051):
 * the embedded broker's and a real Danube broker's alike. One HTTP/2 channel for all calls.
 *
 * @example
 * const admin = new DanubeAdmin({ adminUrl: 'http://127.0.0.1:50051' });
 * await admin.topics.create('/default/orders', { partitions: 2, dispatch: 'reliable' });
 * console.log(await admin.topics.list('default'));
 * admin.close();
 */
export class DanubeAdmin {
  readonly brokers: BrokersAdmin;
  readonly namespaces: NamespacesAdmin;
  readonly topics: TopicsAdmin;
  readonly subscriptions: SubscriptionsAdmin;
  readonly schemas: SchemasAdmin;
  readonly security: SecurityAdmin;
  private readonly conn: AdminConnection;

  constructor(options: DanubeAdminOptions = {}) {
    this.conn = new AdminConnection(parseAdminOptions(options));
    this.brokers = new BrokersAdmin(this.conn);
    this.namespaces = new NamespacesAdmin(this.conn);
    this.topics = new TopicsAdmin(this.conn);
    this.subscriptions = new SubscriptionsAdmin(this.conn);
    this.schemas = new SchemasAdmin(this.conn);
    this.security = new SecurityAdmin(this.conn);
  }

  get adminUrl(): string {
    return this.conn.url;
  }

  /** Closes the channel; calls still running fail. Safe to call twice. */
  close(): void {
    this.conn.close();
  }
}
