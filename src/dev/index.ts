// Building blocks of the local pipeline (`npm start`): re-exports only.
export { parseSchedule, type Schedule } from './schedule.js';
export { lambdaContext, invokeLocalLambda, lambdaHandlerInvoker, type LambdaHandler, type LocalLambda } from './lambda-invoke.js';
export { SourceScheduler, type SourceView, type ScheduledFunction } from './source-scheduler.js';
export { watchDeadLetters, type DeadLetterView } from './dead-letter-watch.js';
export { renderStatus, statusLogLines, bindingViews, type DevStatus, type BindingView } from './status.js';
export { loadFunction, resolveHandler, type LoadedFunction } from './function-loader.js';
export { parseDevOptions, DEFAULT_DEV_OPTIONS, type DevOptions, type ResolvedDevOptions } from './options.js';
