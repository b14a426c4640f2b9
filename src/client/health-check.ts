import type { Metadata } from '@grpc/grpc-js';
import { HealthCheckRequest_ClientType, HealthCheckResponse_ClientStatus, type HealthCheckResponse } from '../generated/danube/DanubeApi.js';
import type { Logger } from '../core/logger.js';
import type { BrokerConnection } from './connection-pool.js';

/** What one health check needs: where the producer/consumer lives and its broker id. */
export interface HealthTarget {
  connection: BrokerConnection;
  metadata: Metadata | Promise<Metadata>;
  id: bigint;
}

/**
 * Asks the broker every `intervalMs` whether it still knows a producer or consumer; a `CLOSE`
 * answer (topic moved or unloaded, broker restarted, stream detached) calls `onClose`, which
 * recreates or resubscribes. Unlike the Rust client, an error does not end the loop: the next
 * tick tries again. The timer is unref'd so it never keeps a process alive.
 */
export class HealthCheckLoop {
  private timer: NodeJS.Timeout | undefined;
  private requestId = 0n;
  private running = false;
  private stopped = false;

  constructor(
    private readonly kind: 'producer' | 'consumer',
    private readonly intervalMs: number,
    private readonly target: () => HealthTarget | undefined,
    private readonly onClose: () => void,
    private readonly logger: Logger,
  ) {}

  start(): void {
    if (this.stopped || this.timer) return;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.running || this.stopped) return this.schedule();
    const target = this.target();
    if (!target) return this.schedule();
    this.running = true;
    try {
      const status = await this.check(target);
      if (!this.stopped && status === HealthCheckResponse_ClientStatus.CLOSE) {
        this.logger.info({ kind: this.kind, id: target.id }, 'broker answered CLOSE to a health check');
        this.onClose();
      }
    } catch (err) {
      this.logger.debug({ kind: this.kind, id: target.id, err: (err as Error).message }, 'health check failed');
    } finally {
      this.running = false;
      this.schedule();
    }
  }

  private async check(target: HealthTarget): Promise<HealthCheckResponse_ClientStatus> {
    const metadata = await target.metadata;
    const client = this.kind === 'producer' ? HealthCheckRequest_ClientType.Producer : HealthCheckRequest_ClientType.Consumer;
    const request = { requestId: ++this.requestId, client, id: target.id };
    return new Promise((resolve, reject) => {
      target.connection.health.healthCheck(request, metadata, { deadline: Date.now() + Math.max(this.intervalMs, 1000) }, (err, res: HealthCheckResponse) =>
        err ? reject(err) : resolve(res.status),
      );
    });
  }
}
