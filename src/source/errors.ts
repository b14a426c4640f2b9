import { ConnectorError } from '../core/errors.js';
import type { SourceRunSummary } from './summary.js';

/**
 * A source run failed: the invocation fails (so the platform's retry policy applies) and the
 * checkpoint stays where it was. `summary` says how far the run got; `cause` is the failure.
 *
 * @example
 * try { await runSource(source, options); } catch (err) {
 *   if (err instanceof SourceRunError) logger.error(err.summary, err.message);
 * }
 */
export class SourceRunError extends ConnectorError {
  override readonly name: string = 'SourceRunError';
  readonly source: string;
  readonly summary: SourceRunSummary;

  constructor(message: string, summary: SourceRunSummary, cause?: unknown) {
    super(message, 'fatal', { cause });
    this.source = summary.source;
    this.summary = summary;
  }
}
