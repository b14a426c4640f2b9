import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { ServiceFunction } from './bindings.js';
import { readZipEntries } from './zip.js';

const CODE_EXTENSIONS = ['.mjs', '.js', '.cjs'];

/** What packaging produced for the functions: each artifact, or the service's one. */
export interface PackagedService {
  serviceDir: string;
  individually: boolean;
  serviceArtifact?: string;
  functions: Record<string, ServiceFunction & { package?: { artifact?: string }; image?: unknown }>;
}

/**
 * The functions whose code did not make it into their artifact: a missing or empty zip, or one
 * without the handler's file. `osls package` says "Service packaged" in those cases too, and a
 * deploy would ship functions that fail on every call.
 *
 * @example
 * const problems = missingCode({ serviceDir, individually: true, functions });
 * // ['function "relay-orders": .serverless/danube-relay.zip has no functions/relay.mjs']
 */
export function missingCode(service: PackagedService): string[] {
  const problems: string[] = [];
  for (const [key, fn] of Object.entries(service.functions)) {
    if (fn.image || typeof fn.handler !== 'string') continue;
    const artifact = fn.package?.artifact ?? (service.individually ? undefined : service.serviceArtifact);
    if (!artifact) {
      problems.push(`function "${key}" has no artifact`);
      continue;
    }
    const path = isAbsolute(artifact) ? artifact : join(service.serviceDir, artifact);
    if (!existsSync(path)) {
      problems.push(`function "${key}": its artifact ${artifact} was not written`);
      continue;
    }
    const names = new Set(readZipEntries(path).map((e) => e.name));
    if (names.size === 0) {
      problems.push(`function "${key}": its artifact ${artifact} is empty`);
      continue;
    }
    const base = fn.handler.slice(0, fn.handler.lastIndexOf('.'));
    if (!CODE_EXTENSIONS.some((ext) => names.has(`${base}${ext}`))) {
      problems.push(`function "${key}": its artifact ${artifact} has no ${base}.mjs (handler ${fn.handler})`);
    }
  }
  return problems;
}
