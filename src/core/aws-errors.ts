// AWS SDK v3 errors by name, in one table: which ask to slow down, which are transient, and which
// no retry fixes (credentials, permissions, a resource that does not exist, a bad parameter).
// Every place that calls AWS (checkpoints, the Lambda invoker, token reads, sinks) asks here.

/** "Slow down": throttling and limits that lift by themselves. */
const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'LimitExceededException',
  'EC2ThrottledException',
  'ENILimitReachedException',
]);

/** Transient faults on AWS's side. */
const TRANSIENT = new Set([
  'TransactionInProgressException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalServerError',
  'InternalFailure',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
]);

/** Nothing a retry fixes: who we are, what we may do, what exists, what we asked for. */
const PERMANENT = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
  'MissingAuthenticationTokenException',
  'CredentialsProviderError',
  'InvalidClientTokenId',
  'ResourceNotFoundException',
  'ParameterNotFound',
  'InvalidParameterValueException',
  'InvalidParameterException',
  'InvalidRequestException',
  'ResourceConflictException',
  'DecryptionFailure',
  'KMSAccessDeniedException',
  'KMSDisabledException',
  'KMSInvalidStateException',
  'KMSNotFoundException',
]);

/** What an AWS error by this name calls for: `throttled`, `retryable`, `fatal`, or undefined when the table does not know it. */
export type AwsErrorKind = 'throttled' | 'retryable' | 'fatal';

/**
 * The kind of an AWS SDK v3 error, from its name and, for names the table does not know, its
 * HTTP status (429 throttled, 5xx retryable).
 *
 * @example
 * awsErrorKind({ name: 'ProvisionedThroughputExceededException' }); // 'throttled'
 */
export function awsErrorKind(err: unknown): AwsErrorKind | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { name?: unknown; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
  const name = typeof e.name === 'string' ? e.name : '';
  if (THROTTLING.has(name)) return 'throttled';
  if (TRANSIENT.has(name)) return 'retryable';
  if (PERMANENT.has(name)) return 'fatal';
  // The SDK marks what it considers transient itself.
  if (e.$retryable !== undefined && e.$retryable !== null) return 'retryable';
  const status = e.$metadata?.httpStatusCode;
  if (status === 429) return 'throttled';
  if (status !== undefined && status >= 500) return 'retryable';
  return undefined;
}
