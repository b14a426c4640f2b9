import { describe, expect, it } from 'vitest';
import { MessageLog } from '../../../src/broker/message-log.js';
import { StreamMessage } from '../../../src/generated/danube/DanubeApi.js';
import { isValidTopicName, partitionBase } from '../../../src/broker/topic-name.js';

const msg = (s: string) => StreamMessage.fromPartial({ payload: Buffer.from(s), msgId: { topicName: '/default/t' } });

describe('MessageLog', () => {
  it('numbers messages from 0, stamps the offset and forgets acked ones', () => {
    const log = new MessageLog();
    for (let i = 0; i < 10_000; i++) log.append(msg(`m${i}`));
    expect(log.get(42)!.msgId!.topicOffset).toBe(42n);
    log.trimBefore(9_000);
    expect(log.get(8_999)).toBeUndefined();
    expect(Buffer.from(log.get(9_000)!.payload).toString()).toBe('m9000');
    expect(log.size).toBe(1_000);
    log.trimBefore(10_000);
    expect(log.size).toBe(0);
    expect(log.append(msg('next'))).toBe(10_000);
  });

  it('gives offsets without keeping messages when nobody can read them', () => {
    const log = new MessageLog(5);
    expect(log.skip(msg('a'))).toBe(5);
    expect(log.size).toBe(0);
    expect(log.append(msg('b'))).toBe(6);
    expect(log.firstOffset).toBe(6);
  });
});

describe('topic names', () => {
  it('accepts /namespace/topic with letters, digits, _ and - only', () => {
    expect(isValidTopicName('/default/orders_v2-eu')).toBe(true);
    expect(isValidTopicName('/défaut/commandes')).toBe(true);
    expect(isValidTopicName('/default/a.b')).toBe(false);
    expect(isValidTopicName('/default/a/b')).toBe(false);
    expect(isValidTopicName('default/orders')).toBe(false);
    expect(partitionBase('/default/t-part-3')).toBe('/default/t');
    expect(partitionBase('/default/t')).toBeUndefined();
  });
});
