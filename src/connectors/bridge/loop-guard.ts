// Origin attributes the bridge adds, and the loop guard they make possible.

/** The cluster where the message was first published (kept across hops). */
export const BRIDGE_ORIGIN_CLUSTER = 'x-bridge-origin-cluster';
/** The topic and offset the message had in its origin cluster. */
export const BRIDGE_ORIGIN_TOPIC = 'x-bridge-origin-topic';
export const BRIDGE_ORIGIN_OFFSET = 'x-bridge-origin-offset';
/** Every cluster the message passed through, comma-separated, oldest first. */
export const BRIDGE_PATH = 'x-bridge-path';

/** The clusters a message has been through, from its attributes. */
export function bridgePath(attributes: Readonly<Record<string, string>>): string[] {
  const path = attributes[BRIDGE_PATH];
  const list = path ? path.split(',').filter(Boolean) : [];
  const origin = attributes[BRIDGE_ORIGIN_CLUSTER];
  if (origin && !list.includes(origin)) list.unshift(origin);
  return list;
}

/**
 * True when forwarding to `destination` would bring the message back to a cluster it already
 * passed through (A → B → A): with two clusters bridged both ways, this stops the echo.
 *
 * @example
 * wouldLoop({ 'x-bridge-path': 'eu' }, 'eu'); // true
 */
export function wouldLoop(attributes: Readonly<Record<string, string>>, destination: string): boolean {
  return bridgePath(attributes).includes(destination);
}

/**
 * The attributes of the forwarded message: the original ones plus the origin (set only on the
 * first hop) and this cluster appended to the path.
 */
export function forwardedAttributes(
  attributes: Readonly<Record<string, string>>,
  here: { clusterId: string; topic: string; offset: bigint },
): Record<string, string> {
  const out: Record<string, string> = { ...attributes };
  if (!out[BRIDGE_ORIGIN_CLUSTER]) {
    out[BRIDGE_ORIGIN_CLUSTER] = here.clusterId;
    out[BRIDGE_ORIGIN_TOPIC] = here.topic;
    out[BRIDGE_ORIGIN_OFFSET] = here.offset.toString();
  }
  out[BRIDGE_PATH] = [...bridgePath(attributes), here.clusterId].join(',');
  return out;
}
