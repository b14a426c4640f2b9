// A `scheduled(controller, env, ctx)` handler (the Cloudflare cron-trigger shape) that runs a
// source, for Node-compatible hosts: publishing speaks gRPC over HTTP/2, which needs Node.
export {
  DEFAULT_SCHEDULED_BUDGET_MS,
  scheduledSource,
  type ExecutionContextLike,
  type ScheduledControllerLike,
  type ScheduledSourceOptions,
} from './source.js';
