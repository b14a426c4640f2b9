// The Lambda shapes the adapters read, declared here so that their types need no
// `@types/aws-lambda` (its `Context` and `ScheduledEvent` fit these as they are).

/** The parts of the Lambda context object the adapters use. */
export interface LambdaContextLike {
  readonly awsRequestId: string;
  readonly functionName: string;
  getRemainingTimeInMillis(): number;
}

/** An EventBridge scheduled event, as a `schedule` event delivers it. */
export interface ScheduledEventLike {
  readonly 'detail-type': 'Scheduled Event' | (string & {});
  readonly time: string;
  readonly resources: readonly string[];
}

/** A Lambda handler as the Node.js runtime calls it (a promise; no callback). */
export type LambdaHandler<Event, Result> = (event: Event, context: LambdaContextLike) => Promise<Result>;
