import type { ServiceFile } from '../serverless/service-file.js';
import { hasSchedule } from '../serverless/service-model.js';
import type { LoadedFunction } from './function-loader.js';

/**
 * Which scheduled sources publish to which topic, the enabled ones (by the topic their source
 * declares) and the disabled ones (by the `DANUBE_TOPIC` their serverless.yml environment sets:
 * a function that could not load tells nothing else). A topic no source is known to publish to is
 * absent: something else may publish to it.
 */
export function sourceFeeders(service: ServiceFile, loaded: ReadonlyMap<string, LoadedFunction>): Map<string, { enabled: string[]; disabled: string[] }> {
  const feeders = new Map<string, { enabled: string[]; disabled: string[] }>();
  const add = (topic: string, name: string, enabled: boolean) => {
    const f = feeders.get(topic) ?? { enabled: [], disabled: [] };
    (enabled ? f.enabled : f.disabled).push(name);
    feeders.set(topic, f);
  };
  for (const [key, fn] of Object.entries(service.functions)) {
    if (!hasSchedule(fn)) continue;
    const fnModule = loaded.get(key);
    const configured = (fn.environment as Record<string, unknown> | undefined)?.DANUBE_TOPIC;
    const topic = fnModule?.source?.topic ?? (typeof configured === 'string' && configured.startsWith('/') ? configured : undefined);
    if (topic) add(topic, key, fnModule !== undefined);
  }
  return feeders;
}
