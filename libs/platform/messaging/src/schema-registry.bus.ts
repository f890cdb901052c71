import { ContractViolationError, type ContractIssue } from '@baton/contracts';
import { errorMessage } from '@baton/platform-errors';
import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { Logger } from '@nestjs/common';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { backoffDelayMs, type Backoff } from './backoff.util';
import { confluentFrame } from './event-codec.util';
import { MessageBus, type BusHealth, type DeliveredMessage, type OutgoingMessage, type Subscription } from './message-bus.port';

/** Between registrations refused as retriable at start-up: from 250 ms, doubling, at most 5 s. */
const REGISTRY_START_BACKOFF: Backoff = { initialDelayMs: 250, maxDelayMs: 5_000 };

export interface SchemaRegistryBusOptions {
  /** Base URL of a registry that speaks Confluent Schema Registry's REST API. */
  url: string;
  /** The JSON Schema of the values on a topic; topics without one (ingress, change feeds) pass through untouched. */
  schemaFor(topic: string): object | undefined;
  /** The subject of a topic's values (default `<topic>-value`, Confluent's TopicNameStrategy). */
  subjectOf?(topic: string): string;
  /** Topics whose schemas are registered at start(), so an incompatible change stops the process there. */
  topics: string[];
  /** Per-request timeout of registry calls (default 5 000 ms). */
  timeoutMs?: number;
  /**
   * How long start() keeps trying a registry it cannot reach (default 60 000 ms): services and the
   * registry start together in compose and Kubernetes. A refusal (an incompatible schema) fails at once.
   */
  startTimeoutMs?: number;
  logger?: Logger;
}

/**
 * Puts the values of schema-bearing topics on the wire in the Confluent wire format, with the
 * schema registered in a Confluent-compatible registry through @kafkajs/confluent-schema-registry:
 *
 * - One subject per topic (`<topic>-value`), compatibility BACKWARD, set on the subject when it is
 *   first registered. start() registers the schema of every topic the process may write; a schema
 *   the registry refuses as incompatible, or a subject configured with another compatibility,
 *   fails start() naming the subject, the topic and the registry's reason — the deploy stops
 *   before a single message is written with it.
 * - publish(): a plain JSON value is validated against the registered schema and framed with its
 *   id; a value that is already framed (a re-driven dead letter, say) goes out as it is; a value
 *   that violates the schema is refused with a ContractViolationError naming each field.
 * - Consumers: a framed value is checked against the writer's schema, fetched by id (and cached);
 *   an id the registry does not know, or a value its schema rejects, fails the message as a
 *   contract violation (dead-lettered, never retried). Unframed JSON is handed on as it is: ingress
 *   topics take plain JSON from any client, and every consumer validates against its own schema.
 * - The registry unreachable: publish() rejects (callers such as the outbox relay keep the message
 *   and try again); a consumer's message fails as retriable.
 *
 * Without a registry the same schemas are validated locally (the subscriber's assertEvent), and
 * values go out as plain JSON.
 */
export class SchemaRegistryBus extends MessageBus {
  private readonly registry: SchemaRegistry;
  private readonly logger: Logger;
  private readonly ids = new Map<string, Promise<number>>();
  private lastError?: string;

  constructor(
    private readonly inner: MessageBus,
    private readonly options: SchemaRegistryBusOptions,
  ) {
    super();
    this.logger = options.logger ?? new Logger(SchemaRegistryBus.name);
    const timeoutMs = options.timeoutMs ?? 5_000;
    this.registry = new SchemaRegistry(
      { host: options.url.replace(/\/+$/, ''), clientId: 'baton', retry: { retries: 2, maxRetryTimeInSecs: Math.ceil(timeoutMs / 1000) } },
      // The event schemas are JSON Schema 2020-12 with formats, as the local validators read them.
      // A fresh Ajv per compiled schema: every version of a subject carries the same $id.
      {
        [SchemaType.JSON]: {
          detailedErrorPaths: true,
          ajvInstance: { addSchema: () => undefined, compile: (schema: object) => newAjv().compile(schema) } as never,
        },
      },
    );
  }

  private subjectOf(topic: string): string {
    return this.options.subjectOf?.(topic) ?? `${topic}-value`;
  }

  /** The id of the topic's schema, registering it the first time (BACKWARD on the subject). */
  private schemaId(topic: string, schema: object): Promise<number> {
    let id = this.ids.get(topic);
    if (!id) {
      const subject = this.subjectOf(topic);
      id = this.registry
        .register({ type: SchemaType.JSON, schema: JSON.stringify(schema) }, { subject, compatibility: COMPATIBILITY.BACKWARD })
        .then(({ id: registered }) => {
          this.logger.log(`schema of ${topic} is id ${registered} under subject ${subject}`);
          return registered;
        })
        .catch((error: unknown) => {
          this.ids.delete(topic);
          throw this.registryError(`registering the schema of ${topic} under subject ${subject}`, error);
        });
      this.ids.set(topic, id);
    }
    return id;
  }

  async start(): Promise<void> {
    const deadline = Date.now() + (this.options.startTimeoutMs ?? 60_000);
    // One schedule for the whole start-up: a topic after a slow one goes on from where it got to.
    let attempt = 1;
    for (const topic of this.options.topics) {
      const schema = this.options.schemaFor(topic);
      if (!schema) continue;
      for (;;) {
        try {
          await this.schemaId(topic, schema);
          break;
        } catch (error) {
          const delay = backoffDelayMs(REGISTRY_START_BACKOFF, attempt++);
          if ((error as { retriable?: boolean }).retriable !== true || Date.now() + delay > deadline) throw error;
          this.logger.warn(`${errorMessage(error)}; trying again in ${delay} ms`);
          await new Promise((resolve) => setTimeout(resolve, delay));
        }
      }
    }
    await this.inner.start();
  }

  async publish(messages: OutgoingMessage[]): Promise<void> {
    const encoded = await Promise.all(messages.map((message) => this.encode(message)));
    this.lastError = undefined;
    await this.inner.publish(encoded);
  }

  private async encode(message: OutgoingMessage): Promise<OutgoingMessage> {
    const schema = this.options.schemaFor(message.topic);
    if (!schema || confluentFrame(message.value)) return message;
    let payload: unknown;
    try {
      payload = JSON.parse(message.value.toString('utf8'));
    } catch (error) {
      throw new ContractViolationError(message.topic, [{ path: '', rule: 'json', message: `is not valid JSON: ${errorMessage(error)}` }]);
    }
    const id = await this.schemaId(message.topic, schema);
    try {
      return { ...message, value: await this.registry.encode(id, payload) };
    } catch (error) {
      throw this.payloadError(message.topic, id, error);
    }
  }

  subscribe(subscription: Subscription): void {
    this.inner.subscribe({ ...subscription, handle: async (message) => subscription.handle(await this.verify(message)) });
  }

  /** Checks a framed value against the writer's schema; hands every message on unchanged. */
  private async verify(message: DeliveredMessage): Promise<DeliveredMessage> {
    const frame = confluentFrame(message.value);
    if (!frame) return message;
    const id = frame.schemaId;
    try {
      await this.registry.decode(message.value);
    } catch (error) {
      if (statusOf(error) === 404) {
        throw new ContractViolationError(message.topic, [
          { path: '', rule: 'schemaId', message: `names schema id ${id}, which the registry at ${this.options.url} does not know` },
        ]);
      }
      throw this.payloadError(message.topic, id, error);
    }
    return message;
  }

  private payloadError(topic: string, id: number, error: unknown): Error {
    const paths = (error as { paths?: Array<string[] | { path: string[]; message?: string }> }).paths;
    if (Array.isArray(paths)) {
      const issues: ContractIssue[] = paths.map((entry) =>
        Array.isArray(entry)
          ? { path: entry.join(''), rule: 'schema', message: `does not match schema id ${id}` }
          : { path: entry.path.join(''), rule: 'schema', message: `${entry.message ?? 'is invalid'} (schema id ${id})` },
      );
      return new ContractViolationError(
        topic,
        issues.length ? issues : [{ path: '', rule: 'schema', message: `does not match schema id ${id}` }],
      );
    }
    if (error instanceof SyntaxError) {
      return new ContractViolationError(topic, [
        { path: '', rule: 'json', message: `is not valid JSON after the schema id ${id}: ${error.message}` },
      ]);
    }
    return this.registryError(`using schema id ${id} for ${topic}`, error);
  }

  /** A refusal by the registry is permanent (retriable false); anything else is an outage worth retrying. */
  private registryError(what: string, error: unknown): Error {
    const status = statusOf(error);
    const refused = status !== undefined && status >= 400 && status < 500 && !isNetworkError(error);
    const reason = refused
      ? `the registry at ${this.options.url} refused it (HTTP ${status}): ${errorMessage(error)}`
      : `the registry at ${this.options.url} is unreachable: ${errorMessage(error)}`;
    this.lastError = `${what}: ${reason}`;
    return Object.assign(new Error(`schema registry: ${what}: ${reason}`, { cause: error }), { retriable: !refused });
  }

  stop(): Promise<void> {
    return this.inner.stop();
  }

  health(): BusHealth {
    const inner = this.inner.health();
    return this.lastError ? { ok: inner.ok, detail: `${inner.detail}; schema registry: last call failed: ${this.lastError}` } : inner;
  }

  lag(groupId: string, topics?: string[]): Promise<number | null> {
    return this.inner.lag(groupId, topics);
  }

  override pause(groupId: string, topics?: string[]): boolean {
    return this.inner.pause(groupId, topics);
  }

  override resume(groupId: string, topics?: string[]): boolean {
    return this.inner.resume(groupId, topics);
  }

  override subscriptions(): Array<{ groupId: string; topics: string[] }> {
    return this.inner.subscriptions();
  }

  override paused(groupId: string): string[] {
    return this.inner.paused(groupId);
  }
}

function newAjv() {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv;
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

/**
 * mappersmith (the library's HTTP client) reports a connection that failed as a response with
 * status 400 and the socket error as its message.
 */
function isNetworkError(error: unknown): boolean {
  return /ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|socket hang up|Timeout|network/i.test(errorMessage(error));
}
