// The console of `npm start`: everything read from the pipeline in this process.
import { DanubeAdmin } from '../admin/client.js';
import type { Broker } from '../broker/index.js';
import { checkpointKey } from '../checkpoint/types.js';
import type { Logger } from '../core/logger.js';
import type { DevPipeline } from '../dev/pipeline.js';
import type { ConsoleBackend, DeadLetterOpener } from './backend.js';
import { storeCheckpointAccess } from './checkpoints.js';
import { bindingView, type BindingViewParts } from './binding-view.js';
import { baseTopic } from './graph.js';
import { RateMeter } from './history.js';
import { redact, safeUrl } from './redact.js';
import { RunLog } from './run-log.js';
import { TopicTail } from './tail.js';
import { adminTopicAccess } from './topics.js';
import type { ConsoleBinding, ConsoleDisabled, ConsoleSource } from './types.js';

export interface DevConsoleBackendOptions {
  /** The dead-letter tooling; without it the panel shows counts only. */
  deadLetters?: DeadLetterOpener;
  /** JWT for the admin API of a real cluster the pipeline points at (never shown). */
  adminToken?: string;
  /** Messages kept per topic for peek. */
  keepMessages?: number;
  logger: Logger;
}

/** What the embedded broker still holds for a subscription, over every partition. */
function brokerBacklog(broker: Broker, topic: string, subscription: string): number | undefined {
  const names = broker.admin.listTopics().filter((t) => t === topic || t.startsWith(`${topic}-part-`));
  if (!names.length) return undefined;
  let backlog = 0;
  for (const name of names) backlog += broker.admin.describeTopic(name)?.subscriptions.find((s) => s.name === subscription)?.backlog ?? 0;
  return backlog;
}

/**
 * A console backend on the local pipeline: its status, its sources (run now, checkpoints), its
 * topics (through the admin API, followed from the start for peek) and its dead-letter topics.
 * Start it before the sources run, so the tail sees their first records.
 *
 * @example
 * const backend = await devConsoleBackend(pipeline, { logger, deadLetters: (t) => openDeadLetterTopic(client, t) });
 */
export async function devConsoleBackend(pipeline: DevPipeline, options: DevConsoleBackendOptions): Promise<ConsoleBackend> {
  const parts = pipeline.parts;
  const admin = new DanubeAdmin({ adminUrl: parts.adminUrl, ...(options.adminToken ? { token: options.adminToken } : {}) });
  const bindingConfig = new Map(parts.bindings.map((b) => [b.name, b]));
  const sourceInfo = new Map(parts.sources.map((s) => [s.function, s.source]));
  const runs = new RunLog();
  const rates = new RateMeter();

  // The topics the pipeline uses, with what it does with each, and how they dispatch.
  const roles = new Map<string, string[]>();
  const dispatch = new Map<string, 'reliable' | 'non-reliable'>();
  const role = (topic: string, what: string) => roles.set(baseTopic(topic), [...(roles.get(baseTopic(topic)) ?? []), what]);
  for (const s of parts.sources) {
    if (s.source?.topic) role(s.source.topic, `source ${s.source.name} publishes`);
    if (s.source?.deadLetterTopic) role(s.source.deadLetterTopic, `dead letters of source ${s.source.name}`);
  }
  for (const b of parts.bindings) {
    role(b.topic, `binding ${b.name} reads (${b.subscription.name})`);
    dispatch.set(b.topic, b.subscription.dispatch);
    if (b.deadLetterTopic) role(b.deadLetterTopic, `dead letters of binding ${b.name}`);
  }
  const tail = await TopicTail.start(
    parts.client,
    [...roles.keys()].map((topic) => ({ topic, dispatch: dispatch.get(topic) ?? 'reliable' })),
    {
      keep: options.keepMessages ?? 50,
      logger: options.logger,
      forget: async (topic) => {
        const ns = topic.split('/')[1]!;
        const partitions = (await admin.topics.list(ns)).map((t) => t.name).filter((n) => n === topic || n.startsWith(`${topic}-part-`));
        for (const p of partitions) await admin.subscriptions.unsubscribe(p, 'danube-console-tail').catch(() => undefined);
      },
    },
  );

  const sourceName = (name: string): string | undefined => {
    const status = pipeline.status().sources;
    const fn = status.find((v) => v.function === name || v.source === name)?.function ?? parts.sources.find((s) => s.source?.name === name)?.function;
    if (!fn) return undefined;
    return sourceInfo.get(fn)?.name ?? status.find((v) => v.function === fn)?.source;
  };

  return {
    mode: 'dev',
    async snapshot() {
      const status = pipeline.status();
      const now = Date.now();
      const sources: ConsoleSource[] = status.sources.map((v) => {
        runs.observe(v.function, v);
        const info = sourceInfo.get(v.function);
        const src: ConsoleSource = {
          function: v.function,
          schedules: v.schedules,
          running: v.running,
          runs: v.runs,
          records: v.records,
          deadLettered: v.deadLettered,
          errors: v.errors,
          recentRuns: runs.runs(v.function).map((r) => ({ ...r, ...(r.error ? { error: redact(r.error) } : {}) })),
        };
        const name = v.source ?? info?.name;
        if (name) src.source = name;
        if (info?.topic) src.topic = info.topic;
        if (info?.deadLetterTopic) src.deadLetterTopic = info.deadLetterTopic;
        if (v.nextRunAt !== undefined) src.nextRunAt = v.nextRunAt;
        if (v.lastRunAt !== undefined) src.lastRunAt = v.lastRunAt;
        if (v.lastError !== undefined) src.lastError = redact(v.lastError);
        const errorAt = runs.lastErrorAt(v.function);
        if (errorAt !== undefined) src.lastErrorAt = errorAt;
        if (v.checkpoint !== undefined) src.checkpoint = v.checkpoint;
        return src;
      });
      const bindings: ConsoleBinding[] = (parts.relay?.status().bindings ?? []).map((b) => {
        const held = b.buffered + b.inFlightRecords;
        const view: BindingViewParts = {
          function: { kind: 'local', name: parts.functionOfBinding.get(b.name) ?? b.name },
          state: b.state,
          backlog: Math.max(held, (parts.broker && brokerBacklog(parts.broker, b.topic, b.subscription)) ?? 0),
          deadLetterTopic: bindingConfig.get(b.name)?.deadLetterTopic,
        };
        return bindingView(b, view, rates, now);
      });
      const disabled: ConsoleDisabled[] = [
        ...status.disabled.map((d) => ({ name: d.function, kind: 'function' as const, reason: redact(d.reason) })),
        ...parts.bindings.filter((b) => !b.enabled).map((b) => ({ name: b.name, kind: 'binding' as const, reason: 'enabled: false in its danube event' })),
      ];
      return {
        at: now,
        uptimeMs: status.uptimeMs,
        broker: safeUrl(status.brokerUrl),
        problems: [],
        sources,
        bindings,
        disabled,
        deadLetterTopics: status.deadLetters.map((d) => ({
          topic: d.topic,
          count: d.count,
          ...(d.lastReason ? { lastReason: d.lastReason } : {}),
          ...(d.lastOrigin ? { lastOrigin: d.lastOrigin } : {}),
        })),
      };
    },
    runNow: (name) => pipeline.invoke(name),
    checkpoints: storeCheckpointAccess(parts.checkpointStore, (name) => {
      const source = sourceName(name);
      return source ? checkpointKey({ service: parts.service, source }) : undefined;
    }),
    topics: adminTopicAccess({ admin, ...(parts.broker ? { broker: parts.broker } : {}), tail, roles: () => roles }),
    ...(options.deadLetters ? { deadLetters: options.deadLetters } : {}),
    async close() {
      await tail.close();
      admin.close();
    },
  };
}
