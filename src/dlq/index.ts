// Dead-letter tooling: inspect and redrive a dead-letter topic. Re-exports only.
export type {
  DeadLetterFilter,
  DeadLetterRecord,
  DeadLetterSummary,
  DeadLetterTopic,
  PayloadPreview,
  RedriveOptions,
  RedriveProgress,
  RedriveSummary,
} from './types.js';
export { openDeadLetterTopic, DeadLetterTopicError, DEFAULT_DEAD_LETTER_IDLE_MS, type OpenDeadLetterTopicOptions } from './topic.js';
export { INSPECTION_SUBSCRIPTION, INSPECTION_WINDOW, INSPECTION_FAILURE_POLICY, ensureInspectionSubscription, type InspectionClient } from './inspection.js';
export { payloadPreview, DEFAULT_PREVIEW_BYTES } from './preview.js';
export { PartialRedriveFailure, redriveMessage, REDRIVE_INVOKE_BATCH } from './redrive.js';
export type { DeadLetterClient, DeadLetterConsumer, DeadLetterProducer } from './session.js';
