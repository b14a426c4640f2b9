// Message attributes the package itself writes and reads, named once.

/**
 * The attribute every record a source publishes carries: a stable id, so that idempotent sinks
 * drop the duplicates an at-least-once pipeline can produce.
 */
export const RECORD_ID_ATTRIBUTE = 'x-danube-record-id';
