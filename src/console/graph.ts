import type { BackendSnapshot } from './backend.js';
import type { GraphEdge, GraphNode, PipelineGraph } from './types.js';

const seconds = (ms: number) => (ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`);
const rate = (n: number) => `${n < 10 ? n.toFixed(1) : Math.round(n)}/s`;

/** The logical topic of a partition (`/ns/t-part-3` → `/ns/t`). */
export function baseTopic(topic: string): string {
  return topic.replace(/-part-\d+$/, '');
}

/**
 * The pipeline as a graph: sources → topics → bindings → sink functions, with dead-letter topics
 * beside them, each node with its state and figures.
 *
 * @example
 * const graph = pipelineGraph(snapshot);
 * graph.nodes.find((n) => n.kind === 'binding')?.figures; // ['2.0/s', 'lag 0 ms', ...]
 */
export function pipelineGraph(s: BackendSnapshot): PipelineGraph {
  const nodes = new Map<string, GraphNode>();
  const edges: GraphEdge[] = [];
  const add = (node: GraphNode) => {
    if (!nodes.has(node.id)) nodes.set(node.id, node);
    return node.id;
  };
  const edge = (from: string, to: string, kind: GraphEdge['kind'] = 'data') => {
    if (!edges.some((e) => e.from === from && e.to === to)) edges.push({ from, to, kind });
  };
  const dlqs = new Map((s.deadLetterTopics ?? []).map((d) => [d.topic, d]));
  const topicNode = (topic: string) => {
    const name = baseTopic(topic);
    const dlq = dlqs.get(name);
    if (dlq) {
      return add({
        id: `dlq:${name}`,
        kind: 'dead-letter-topic',
        label: name,
        state: dlq.count ? 'attention' : 'idle',
        figures: [`${dlq.count ?? 0} records`, ...(dlq.lastReason ? [`last: ${dlq.lastReason}`] : [])],
      });
    }
    return add({ id: `topic:${name}`, kind: 'topic', label: name, state: 'idle', figures: [] });
  };

  for (const src of s.sources) {
    const id = add({
      id: `source:${src.function}`,
      kind: 'source',
      label: src.function,
      state: src.running ? 'running' : src.lastError && src.recentRuns[0]?.stopReason === 'error' ? 'error' : 'idle',
      figures: [...(src.source ? [`source ${src.source}`] : []), `${src.runs} runs · ${src.records} records`, ...(src.errors ? [`${src.errors} errors`] : [])],
      ...(src.lastError ? { note: src.lastError } : {}),
    });
    if (src.topic) edge(id, topicNode(src.topic));
    if (src.deadLetterTopic) edge(id, topicNode(src.deadLetterTopic), 'dead-letter');
  }
  for (const b of s.bindings) {
    const topic = topicNode(b.topic);
    const topicFigures = nodes.get(topic)!.figures;
    if (nodes.get(topic)!.kind === 'topic') topicFigures.push(`${b.subscription}: ${b.backlog} unacked`);
    const id = add({
      id: `binding:${b.name}`,
      kind: 'binding',
      label: b.name,
      state: b.lastError && b.state !== 'running' ? 'error' : b.state,
      figures: [
        rate(b.recordsPerSecond),
        `lag ${seconds(b.oldestUnackedAgeMs)}`,
        `${b.inFlight} in flight · ${b.retries} retries`,
        `${b.deadLettered} dead-lettered`,
      ],
      ...(b.lastError ? { note: b.lastError } : {}),
    });
    edge(topic, id);
    const fn = add({
      id: `function:${b.function.name}`,
      kind: 'function',
      label: b.function.name,
      state: b.inFlight > 0 ? 'running' : 'idle',
      figures: [b.function.kind === 'local' ? 'in this process' : b.function.kind],
    });
    edge(id, fn);
    if (b.deadLetterTopic) edge(id, topicNode(b.deadLetterTopic), 'dead-letter');
  }
  for (const t of s.deadLetterTopics ?? []) topicNode(t.topic);
  for (const d of s.disabled) {
    const id = d.kind === 'binding' ? `binding:${d.name}` : `function:${d.name}`;
    const existing = nodes.get(id);
    if (existing) {
      existing.state = 'disabled';
      existing.note = d.reason;
    } else add({ id, kind: d.kind === 'binding' ? 'binding' : 'function', label: d.name, state: 'disabled', figures: ['disabled'], note: d.reason });
  }
  return { nodes: [...nodes.values()], edges };
}
