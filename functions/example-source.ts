// The example source: synthetic shop orders, a few per run, keyed by customer so that one
// customer's orders stay in order. Every tenth order is deliberately broken (its payload is not
// JSON), so that the example pipeline shows the dead-letter path end to end.
import { defineSource, SourceRecord } from 'danube-connect-serverless';
import { lambdaSource } from 'danube-connect-serverless/lambda';

interface Checkpoint {
  /** Number of the last order produced. */
  seq: number;
}

const PRODUCTS = ['espresso beans', 'grinder', 'kettle', 'filter papers', 'mug', 'scale'];
const ORDERS_PER_RUN = 10;

/** Deterministic pseudo-random pick, so reruns from a checkpoint produce the same orders. */
function pick(seq: number, salt: number, n: number): number {
  const x = Math.sin(seq * 12.9898 + salt * 78.233) * 43758.5453;
  return Math.floor((x - Math.floor(x)) * n);
}

export function exampleOrder(seq: number): Record<string, unknown> {
  const quantity = 1 + pick(seq, 2, 4);
  const unitCents = 300 + pick(seq, 3, 4000);
  return {
    orderId: `order-${seq}`,
    customerId: `customer-${1 + pick(seq, 1, 20)}`,
    product: PRODUCTS[pick(seq, 4, PRODUCTS.length)],
    quantity,
    totalCents: quantity * unitCents,
    currency: 'EUR',
    createdAt: new Date().toISOString(),
  };
}

export const source = defineSource<Checkpoint>({
  name: 'example-orders',
  topic: '/default/orders',
  ordering: 'key',
  initialCheckpoint: { seq: 0 },
  async poll({ checkpoint }) {
    const from = checkpoint?.seq ?? 0;
    const records: SourceRecord[] = [];
    for (let seq = from + 1; seq <= from + ORDERS_PER_RUN; seq++) {
      const order = exampleOrder(seq);
      const options = { key: String(order.customerId), attributes: { 'order-id': String(order.orderId) } };
      records.push(
        seq % 10 === 0
          ? // The broken one: cut off mid-way, as a buggy upstream might send it.
            SourceRecord.fromString(JSON.stringify(order).slice(0, 25), {
              ...options,
              attributes: { ...options.attributes, 'content-type': 'application/json' },
            })
          : SourceRecord.fromJson(order, options),
      );
    }
    return { records, checkpoint: { seq: from + ORDERS_PER_RUN }, done: true };
  },
});

// The client reads the token from SSM / Secrets Manager when deployed, from DANUBE_TOKEN locally.
export const handler = lambdaSource(source);
