import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startBroker } from '../../../src/broker/index.js';
import { Wire, sleep, text } from './harness.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'broker-data-'));
  dirs.push(d);
  return d;
};

describe('persistence with dataDir', () => {
  it('keeps unacked reliable messages, cursors, subscriptions and schemas across restart()', async () => {
    const dataDir = tempDir();
    const broker = await startBroker({ port: 0, dataDir });
    const wire = new Wire(broker.url);
    try {
      const topic = '/default/persist';
      const pid = await wire.createProducer(topic, 'p', true);
      const cid = await wire.subscribe(topic, 's', 'c');
      const rx = wire.receive(cid);
      await sleep(30);
      for (let i = 0; i < 5; i++) await wire.send(pid, topic, `m${i}`);
      const got = await rx.waitFor(5);
      await wire.ack(got[0]!, 's');
      await wire.ack(got[1]!, 's');
      rx.cancel();
      broker.admin.setSubscriptionPolicy(topic, 's', { maxUnackedMessages: 3 });
      const url = broker.url;
      await broker.restart();
      expect(broker.url).toBe(url);

      const cid2 = await wire.subscribe(topic, 's', 'c');
      const rx2 = wire.receive(cid2);
      const again = await rx2.waitFor(3);
      expect(again.map(text)).toEqual(['m2', 'm3', 'm4']);
      expect(again.map((m) => m.msgId!.topicOffset)).toEqual([2n, 3n, 4n]);
      expect(broker.admin.getSubscriptionPolicy(topic, 's').maxUnackedMessages).toBe(3);
      // offsets continue where they were
      const pid2 = await wire.createProducer(topic, 'p', true);
      await wire.send(pid2, topic, 'm5');
      for (const m of again) await wire.ack(m, 's');
      const [m5] = (await rx2.waitFor(4)).slice(3);
      expect(m5!.msgId!.topicOffset).toBe(5n);
      rx2.cancel();
    } finally {
      wire.close();
      await broker.close();
    }
  });

  it('survives a full close and a new broker on the same dataDir', async () => {
    const dataDir = tempDir();
    const a = await startBroker({ port: 0, dataDir, fsyncIntervalMs: 0 });
    const wa = new Wire(a.url);
    const topic = '/default/persist-2';
    const pid = await wa.createProducer(topic, 'p', true);
    await wa.subscribe(topic, 's', 'c');
    for (let i = 0; i < 3; i++) await wa.send(pid, topic, `x${i}`);
    await new Promise((r, j) =>
      wa.schema.registerSchema(
        { subject: 'orders', schemaType: 'json_schema', schemaDefinition: Buffer.from('{"type":"object"}'), description: '', createdBy: 't', tags: [] },
        (e, res) => (e ? j(e) : r(res)),
      ),
    );
    wa.close();
    await a.close();

    const b = await startBroker({ port: 0, dataDir });
    const wb = new Wire(b.url);
    try {
      const cid = await wb.subscribe(topic, 's', 'c');
      const rx = wb.receive(cid);
      expect((await rx.waitFor(3)).map(text)).toEqual(['x0', 'x1', 'x2']);
      const latest = await new Promise<{ version: number }>((r, j) => wb.schema.getLatestSchema({ subject: 'orders' }, (e, res) => (e ? j(e) : r(res))));
      expect(latest.version).toBe(1);
      rx.cancel();
    } finally {
      wb.close();
      await b.close();
    }
  });

  it('cuts a torn last record (a crash in the middle of a write) and keeps appending after it', async () => {
    const dataDir = tempDir();
    const topic = '/default/torn';
    const a = await startBroker({ port: 0, dataDir });
    const wa = new Wire(a.url);
    const pid = await wa.createProducer(topic, 'p', true);
    await wa.subscribe(topic, 's', 'c');
    await wa.send(pid, topic, 'whole');
    wa.close();
    await a.close();
    appendFileSync(join(dataDir, 'topics', encodeURIComponent(topic), 'log'), Buffer.from([200, 0, 0, 0, 1, 2]));

    const b = await startBroker({ port: 0, dataDir });
    const wb = new Wire(b.url);
    await wb.send(await wb.createProducer(topic, 'p', true), topic, 'after');
    wb.close();
    await b.close();

    const c = await startBroker({ port: 0, dataDir });
    const wc = new Wire(c.url);
    try {
      const rx = wc.receive(await wc.subscribe(topic, 's', 'c'));
      const msgs = await rx.waitFor(2);
      expect(msgs.map(text)).toEqual(['whole', 'after']);
      expect(msgs.map((m) => m.msgId!.topicOffset)).toEqual([0n, 1n]);
      rx.cancel();
    } finally {
      wc.close();
      await c.close();
    }
  });
});
