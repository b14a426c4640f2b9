// Sources: running a source once (as a scheduled function does) or locally on a timer.
export {
  defineSource,
  type PollContext,
  type PollResult,
  type Source,
  type SourceOptions,
  type SourceOrdering,
} from './define-source.js';
export { runSource } from './runner.js';
export type { SourceRunOptions } from './run-options.js';
export type { SourceRunSummary, SourceStopReason } from './summary.js';
export { SourceRunError } from './errors.js';
export { RECORD_ID_ATTRIBUTE } from './record-id.js';
export type { SourceClient, SourceProducer } from './publisher.js';
export { LocalSourceRunner, type LocalSourceRun, type LocalSourceRunnerOptions } from './local-runner.js';
