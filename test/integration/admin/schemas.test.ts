import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DanubeAdmin } from '../../../src/admin/index.js';
import { startBroker, type Broker } from '../../../src/broker/index.js';
import { DanubeClient } from '../../../src/client/index.js';

let broker: Broker;
let admin: DanubeAdmin;
beforeAll(async () => {
  broker = await startBroker({ port: 0 });
  admin = new DanubeAdmin({ adminUrl: broker.adminUrl });
});
afterAll(async () => {
  admin.close();
  await broker.close();
});

describe('schema administration on the admin port', () => {
  it('registers, evolves, lists and configures a topic’s validation, as the client port’s registry would', async () => {
    const v1 = await admin.schemas.register('orders', {
      type: 'json_schema',
      definition: JSON.stringify({ type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] }),
    });
    expect(v1).toMatchObject({ version: 1, isNewVersion: true });
    expect(
      (await admin.schemas.checkCompatibility('orders', { type: 'json_schema', definition: JSON.stringify({ type: 'object', properties: {} }) })).isCompatible,
    ).toBe(false);
    await admin.schemas.setCompatibility('orders', 'none');
    await admin.schemas.register('orders', { type: 'json_schema', definition: JSON.stringify({ type: 'object' }) });
    expect((await admin.schemas.versions('orders')).map((v) => v.version)).toEqual([1, 2]);
    expect((await admin.schemas.subjects()).map((s) => [s.subject, s.latestVersion, s.compatibilityMode])).toEqual([['orders', 2, 'none']]);
    expect((await admin.schemas.latest('orders')).schemaId).toBe(v1.schemaId);

    await admin.topics.create('/default/validated', { dispatch: 'reliable' });
    await admin.schemas.configureTopic('/default/validated', { subject: 'orders', validationPolicy: 'enforce' });
    expect(await admin.schemas.topicConfig('/default/validated')).toMatchObject({
      schemaSubject: 'orders',
      validationPolicy: 'enforce',
      schemaId: v1.schemaId,
    });
    // Enforced on the client port: a message without the schema id is refused.
    const client = new DanubeClient({ serviceUrl: broker.url });
    try {
      const p = await client.createProducer({ topic: '/default/validated', name: 'p', dispatch: 'reliable' });
      await expect(p.send('{"id":1}')).rejects.toThrow(/PERMISSION_DENIED/);
    } finally {
      await client.close();
    }
    await admin.schemas.updateTopicValidation('/default/validated', 'none');
    expect((await admin.schemas.topicConfig('/default/validated')).validationPolicy).toBe('none');
  });
});
