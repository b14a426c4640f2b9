// What the console's page reads: plain JSON shapes, the same for a local pipeline and for a relay
// and broker it is attached to. Every string in them went through redaction (no tokens, no
// passwords in URLs).
import type { PayloadPreview } from '../dlq/types.js';

/** One finished run of a source, as the page lists it. */
export interface SourceRunEntry {
  /** When it started, ms since the epoch. */
  at: number;
  durationMs?: number;
  records?: number;
  deadLettered?: number;
  stopReason?: string;
  error?: string;
  checkpoint?: unknown;
}

export interface ConsoleSource {
  /** The serverless.yml function key. */
  function: string;
  /** The source's own name (its checkpoint key part), when known. */
  source?: string;
  topic?: string;
  deadLetterTopic?: string;
  schedules: string[];
  nextRunAt?: number;
  running: boolean;
  runs: number;
  records: number;
  deadLettered: number;
  errors: number;
  lastRunAt?: number;
  lastError?: string;
  /** When the last error happened (the start of the run that failed). */
  lastErrorAt?: number;
  checkpoint?: unknown;
  /** Newest first. */
  recentRuns: SourceRunEntry[];
}

export interface ConsoleBinding {
  name: string;
  topic: string;
  subscription: string;
  /** The sink function it invokes: its kind and a name that is safe to show. */
  function: { kind: string; name: string };
  deadLetterTopic?: string;
  state: string;
  received: number;
  /** Handled, filtered out or dead-lettered. */
  acked: number;
  failed: number;
  inFlight: number;
  retries: number;
  deadLettered: number;
  /** Records not yet acked: what the broker still holds for the subscription when it can tell, else what the relay holds. */
  backlog: number;
  /** Age of the oldest record read and not acked: the lag a user feels. */
  oldestUnackedAgeMs: number;
  /** Acked records per second since the previous sample. */
  recordsPerSecond: number;
  lastError?: string;
  lastErrorAt?: number;
}

/** A function or binding that does not run, and why. */
export interface ConsoleDisabled {
  name: string;
  kind: 'function' | 'binding';
  reason: string;
}

export interface ConsoleDeadLetterTopic {
  topic: string;
  /** Records seen since start (local pipeline) or in the topic (summary), when known. */
  count?: number;
  lastReason?: string;
  lastOrigin?: string;
}

export type GraphNodeKind = 'source' | 'topic' | 'binding' | 'function' | 'dead-letter-topic';

export interface GraphNode {
  id: string;
  kind: GraphNodeKind;
  label: string;
  /** `running`, `idle`, `error`, `disabled`, ... */
  state: string;
  /** Short lines of figures under the label. */
  figures: string[];
  /** Why it is disabled or failing. */
  note?: string;
}

export interface GraphEdge {
  from: string;
  to: string;
  /** Dead-letter paths are drawn apart. */
  kind: 'data' | 'dead-letter';
}

export interface PipelineGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** Which mutating actions this console offers (each still needs the token). */
export interface ConsoleActions {
  runNow: boolean;
  checkpoints: boolean;
  redrive: boolean;
}

/** Everything the pipeline view shows, pushed to the page every sample. */
export interface ConsoleSnapshot {
  mode: 'dev' | 'attach';
  readOnly: boolean;
  actions: ConsoleActions;
  at: number;
  uptimeMs?: number;
  /** Where the broker and relay are (credentials removed). */
  broker?: string;
  relay?: string;
  /** Why the relay or broker cannot be read right now. */
  problems: string[];
  sources: ConsoleSource[];
  bindings: ConsoleBinding[];
  disabled: ConsoleDisabled[];
  deadLetterTopics: ConsoleDeadLetterTopic[];
  /** Whether the dead-letter panel can list and redrive. */
  deadLettersBrowsable: boolean;
  graph: PipelineGraph;
}

/** One chart point: per binding, throughput and lag at a time. */
export interface HistorySample {
  at: number;
  bindings: Record<string, { recordsPerSecond: number; oldestUnackedAgeMs: number; backlog: number }>;
}

/** A checkpoint as the Sources panel shows it. */
export interface CheckpointView {
  key: string;
  stored: boolean;
  checkpoint: unknown;
  version: string;
  updatedAt?: number;
  lease?: { owner: string; until: number; live: boolean };
}

export interface TopicSubscriptionView {
  name: string;
  type?: string;
  consumers?: number;
  /** Messages not yet acked, when the broker can tell. */
  backlog?: number;
}

export interface TopicView {
  /** The logical topic (a partitioned topic by its base name). */
  name: string;
  partitions: string[];
  dispatch: string;
  subscriptions: TopicSubscriptionView[];
  /** Summed over partitions and subscriptions, when the broker can tell. */
  backlog?: number;
  /** Messages published since the broker started (embedded broker only). */
  published?: number;
  /** What the pipeline does with it. */
  roles: string[];
}

export interface PeekedMessage {
  topic: string;
  offset: string;
  publishTime: number;
  key?: string;
  producer?: string;
  attributes: Record<string, string>;
  preview: PayloadPreview;
}
