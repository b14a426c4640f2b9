// A stand-in for DanubeClient in unit tests only: it records what was sent and can be told to
// fail. The real client and broker are exercised in test/integration/source.
import type { SourceClient, SourceProducer } from '../../../src/source/index.js';

export interface Sent {
  topic: string;
  producer: string;
  payload: string;
  attributes: Record<string, string>;
  key?: string;
}

export class FakeClient implements SourceClient {
  readonly sent: Sent[] = [];
  readonly producers: Array<{ topic: string; name: string; mode?: string; closed: boolean }> = [];
  /** Called before each send; throw to make that send fail. */
  failSend: (payload: string, topic: string) => void = () => {};

  async createProducer(options: { topic: string; name: string; mode?: 'ordered' | 'pipelined' }): Promise<SourceProducer> {
    const entry = { topic: options.topic, name: options.name, mode: options.mode, closed: false };
    this.producers.push(entry);
    return {
      send: async (payload, o) => {
        const text = typeof payload === 'string' ? payload : new TextDecoder().decode(payload);
        this.failSend(text, options.topic);
        const s: Sent = { topic: options.topic, producer: options.name, payload: text, attributes: { ...o?.attributes } };
        if (o?.key !== undefined) s.key = o.key;
        this.sent.push(s);
        return { topic: options.topic, requestId: BigInt(this.sent.length) };
      },
      flush: async () => {},
      close: async () => {
        entry.closed = true;
      },
    };
  }
}
