import { parseSinkBatchResponse } from '../../sink/event.js';
import { InvokeError } from '../errors.js';
import type { InvokeResult } from './types.js';

/** Reads a remote function's JSON answer (text) against the batch ids; a bad answer fails the batch. */
export function readAnswer(text: string, ids: string[]): InvokeResult {
  let answer: unknown;
  if (text.trim() !== '') {
    try {
      answer = JSON.parse(text);
    } catch (err) {
      throw new InvokeError(`the function answered something that is not JSON: ${text.slice(0, 120)}`, 'bad-response', 'retryable', { cause: err });
    }
  }
  const parsed = parseSinkBatchResponse(answer, ids);
  if (!parsed.ok) throw new InvokeError(`the function's answer fails the whole batch: ${parsed.error}`, 'bad-response', 'retryable');
  return { failures: parsed.failures };
}
