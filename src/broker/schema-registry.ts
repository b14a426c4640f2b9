import type { StreamMessage } from '../generated/danube/DanubeApi.js';
import { permissionDenied } from './errors.js';
import type { Topic } from './topic.js';

export class SchemaRegistry {
  private readonly subjects = new Map<string, { id: bigint }>();

  copyFrom(other: SchemaRegistry): void {
    for (const [k, v] of other.subjects) this.subjects.set(k, v);
  }

  hasSubject(subject: string): boolean {
    return this.subjects.has(subject);
  }

  enforce(topic: Topic, msg: StreamMessage): void {
    if (msg.schemaId === undefined) throw permissionDenied(`Unable to publish the message: missing schema_id for topic ${topic.name}`);
  }
}
