// What the admin client returns and takes: the wire messages with friendly names and types.

/** A topic's dispatch strategy. */
export type Dispatch = 'reliable' | 'non-reliable';

export interface BrokerSummary {
  /** The broker's id (a uint64 in decimal). */
  id: string;
  /** Its client URL. */
  url: string;
  /** `Cluster_Leader`, `Cluster_Follower` or `None`. */
  role: string;
  adminUrl: string;
  metricsAddr: string;
  /** `active`, `draining` or `drained`. */
  status: string;
}

export interface TopicSummary {
  name: string;
  /** Id of the broker serving it; empty while unassigned. */
  brokerId: string;
  dispatch: Dispatch;
}

export interface TopicDescription extends TopicSummary {
  subscriptions: string[];
  schemaSubject?: string;
  schemaId?: bigint;
  schemaVersion?: number;
  schemaType?: string;
  compatibilityMode?: string;
}

/** What happens to a message once its redeliveries are used up. */
export type PoisonPolicy = 'block' | 'drop' | 'dead-letter';

/** A reliable subscription's failure policy (`SubscriptionFailurePolicy`). */
export interface FailurePolicy {
  maxRedeliveryCount: number;
  ackTimeoutMs: number;
  baseRedeliveryDelayMs: number;
  maxRedeliveryDelayMs: number;
  backoff: 'fixed' | 'exponential';
  poisonPolicy: PoisonPolicy;
  /** Required with `poisonPolicy: 'dead-letter'`. */
  deadLetterTopic?: string;
}

/** The real broker's defaults (`SubscriptionFailurePolicy::default`). */
export const DEFAULT_FAILURE_POLICY: Readonly<FailurePolicy> = Object.freeze({
  maxRedeliveryCount: 5,
  ackTimeoutMs: 30_000,
  baseRedeliveryDelayMs: 1_000,
  maxRedeliveryDelayMs: 60_000,
  backoff: 'exponential',
  poisonPolicy: 'block',
});

/** The real broker's default `max_unacked_messages`. */
export const DEFAULT_MAX_UNACKED_MESSAGES = 10;

export interface UnloadBrokerOptions {
  /** Only count the topics that would move. */
  dryRun?: boolean;
  namespacesInclude?: string[];
  namespacesExclude?: string[];
}

export interface UnloadBrokerResult {
  started: boolean;
  total: number;
  succeeded: number;
  failed: number;
  pending: number;
  failedTopics: string[];
}

export interface ClusterBalance {
  coefficientOfVariation: number;
  meanLoad: number;
  maxLoad: number;
  minLoad: number;
  stdDeviation: number;
  brokers: Array<{ brokerId: string; load: number; topicCount: number; overloaded: boolean; underloaded: boolean }>;
  assignmentStrategy: string;
}

/** One of the real broker's RBAC permissions. */
export type AdminPermission =
  | 'Lookup'
  | 'Produce'
  | 'Consume'
  | 'Replicate'
  | 'ManageNamespace'
  | 'ManageTopic'
  | 'ManageSchema'
  | 'ManageBroker'
  | 'ManageCluster';

export interface RoleDefinition {
  name: string;
  permissions: AdminPermission[];
  system?: boolean;
}

export interface BindingDefinition {
  id: string;
  /** `user` or `service_account` (the token's `principal_type`). */
  principalType: string;
  principalName: string;
  roleNames: string[];
  scope: 'cluster' | 'namespace' | 'topic';
  /** The namespace or full topic name; empty at cluster scope. */
  resourceName?: string;
}
