import { describe, expect, it } from 'vitest';
import { InvalidTopicError } from '../../../src/client/index.js';
import { logicalTopic, partitionTopic, validateTopic } from '../../../src/client/topic.js';
import { partitionIndex, partitionsOf } from '../../../src/client/topic.js';

describe('validateTopic', () => {
  it.each(['/default/orders', '/ns_1/topic-2', '/default/café'])('accepts %s', (topic) => {
    expect(validateTopic(topic)).toBe(topic);
  });

  it.each(['default/orders', '/default', '/default/orders/x', '/default/or.ders', '/default/or ders', '//orders', '', 'x'])(
    'rejects %j with InvalidTopicError',
    (topic) => {
      expect(() => validateTopic(topic)).toThrow(InvalidTopicError);
    },
  );

  it('names the topic and the expected format', () => {
    expect(() => validateTopic('/a/b.c')).toThrow(/invalid topic "\/a\/b\.c": expected "\/namespace\/topic"/);
  });
});

describe('partitions', () => {
  it('names partitions -part-N and maps them back', () => {
    expect(partitionTopic('/default/t', 3)).toBe('/default/t-part-3');
    expect(partitionIndex('/default/t-part-12')).toBe(12);
    expect(partitionIndex('/default/t')).toBeUndefined();
    expect(logicalTopic('/default/t-part-12')).toBe('/default/t');
  });

  it("keeps only the topic's own partitions from a prefix scan, in index order", () => {
    const listed = ['/default/t-part-10', '/default/t-part-2', '/default/tt-part-0', '/default/t-part-0', '/default/t-part-1', '/default/t-part-x'];
    expect(partitionsOf('/default/t', listed)).toEqual(['/default/t-part-0', '/default/t-part-1', '/default/t-part-2', '/default/t-part-10']);
    expect(partitionsOf('/default/t', ['/default/t'])).toEqual(['/default/t']);
    expect(partitionsOf('/default/t', [])).toEqual([]);
  });
});
