import {
  ContractViolationError,
  createEvent,
  deadLetterTopic,
  EventTypes,
  Headers,
  ingressTopic,
  schemaOfTopic,
  Topics,
} from '@baton/contracts';
import { randomUUID } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { decodeJson } from '../event-codec.util';
import { InMemoryBus } from '../in-memory.bus';
import type { DeliveredMessage } from '../message-bus.port';
import { SchemaRegistryBus, type SchemaRegistryBusOptions } from '../schema-registry.bus';

// Runs against the real Confluent-compatible registry that tools/schema-registry/registry.sh
// starts (npm test and CI always start one): with none reachable the suite fails in beforeAll.
const registryUrl = process.env.BATON_TEST_SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081';
const prefix = `baton-it-${randomUUID().slice(0, 8)}`;

async function registry<T = any>(method: 'GET' | 'PUT', path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${registryUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

const run = { runId: randomUUID(), workflowId: 'refund-request', workflowVersion: 1, orgId: 'acme' };
const triggered = (amount: number) =>
  createEvent(
    EventTypes.runTriggered,
    run,
    { trigger: { amount }, source: { kind: 'api', name: 'admin' }, receivedAt: new Date().toISOString() },
    { source: 'baton/ingestion' },
  );
const json = (value: unknown) => Buffer.from(JSON.stringify(value));
/** The Confluent wire format: magic byte 0, the schema id as a big-endian int32, then the JSON. */
function frame(id: number, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.writeInt32BE(id, 1);
  return Buffer.concat([header, body]);
}

describe(SchemaRegistryBus.name, () => {
  const buses: Array<{ stop(): Promise<void> }> = [];
  let scope = 0;

  /** A registry bus over an in-memory bus, its subjects under a prefix of its own. */
  function newBus(options: Partial<SchemaRegistryBusOptions> = {}) {
    const inner = new InMemoryBus({ partitions: 1, retry: { maxAttempts: 2, initialDelayMs: 10, maxDelayMs: 10 } });
    const subjects = `${prefix}-${++scope}`;
    const sut = new SchemaRegistryBus(inner, {
      url: registryUrl,
      schemaFor: schemaOfTopic,
      subjectOf: (topic) => `${subjects}.${topic}-value`,
      topics: Object.values(Topics),
      ...options,
    });
    buses.push(sut);
    return { sut, inner, subject: (topic: string) => `${subjects}.${topic}-value` };
  }

  beforeAll(async () => {
    try {
      await registry('GET', '/subjects');
    } catch (error) {
      throw new Error(
        `no schema registry reachable at ${registryUrl} (start one: tools/schema-registry/registry.sh start): ${(error as Error).message}`,
      );
    }
  });

  afterEach(async () => {
    await Promise.all(buses.splice(0).map((bus) => bus.stop()));
  });

  it(
    'registers one subject per stage topic at start, under BACKWARD, and puts ' + 'events on the wire framed with their schema id',
    async () => {
      const { sut, inner, subject } = newBus();
      const seen: DeliveredMessage[] = [];
      sut.subscribe({ groupId: 'g', topics: [Topics.runTriggered], handle: async (m) => (seen.push(m), 'processed') });
      await sut.start();

      const subjects = (await registry<string[]>('GET', '/subjects')).body;
      expect(subjects).toEqual(expect.arrayContaining(Object.values(Topics).map(subject)));
      expect((await registry('GET', `/config/${subject(Topics.runDecided)}`)).body).toMatchObject({ compatibilityLevel: 'BACKWARD' });
      const latest = await registry<{ id: number; schema: string; schemaType: string }>(
        'GET',
        `/subjects/${subject(Topics.runTriggered)}/versions/latest`,
      );
      expect(latest.body.schemaType).toBe('JSON');
      expect(JSON.parse(latest.body.schema)).toEqual(schemaOfTopic(Topics.runTriggered));

      const event = triggered(12);
      await sut.publish([{ topic: Topics.runTriggered, key: run.runId, value: json(event) }]);
      await inner.idle();

      expect(seen).toHaveLength(1);
      const value = seen[0]!.value;
      expect(value[0]).toBe(0);
      expect(value.readInt32BE(1)).toBe(latest.body.id);
      expect(decodeJson(value, Topics.runTriggered)).toEqual(event);
      // What the registry serves for that id is the schema a Confluent deserializer would use.
      const byId = await registry<{ schema: string }>('GET', `/schemas/ids/${latest.body.id}`);
      expect(JSON.parse(byId.body.schema)).toEqual(schemaOfTopic(Topics.runTriggered));
    },
  );

  it(
    'refuses to start when a schema change is incompatible with the registered one, naming the subject and why; a compatible change ' +
      'registers a new version',
    async () => {
      const topic = 'orders';
      const v1 = { type: 'object', required: ['id'], properties: { id: { type: 'string' } }, additionalProperties: false };
      const first = newBus({ schemaFor: (t) => (t === topic ? v1 : undefined), topics: [topic] });
      await first.sut.start();
      const subject = first.subject(topic);

      const v2 = { ...v1, required: ['id', 'total'], properties: { ...v1.properties, total: { type: 'number' } } };
      const { sut: incompatible } = newBus({ schemaFor: (t) => (t === topic ? v2 : undefined), topics: [topic], subjectOf: () => subject });
      const refusal = await incompatible.start().then(
        () => undefined,
        (error: Error & { retriable?: boolean }) => error,
      );
      expect(refusal?.message).toMatch(
        new RegExp(`registering the schema of orders under subject ${subject}: the registry at .* refused it \\(HTTP 409\\)`),
      );
      expect(refusal?.message).toMatch(/total/);
      expect(refusal?.retriable).toBe(false);
      expect((await registry<number[]>('GET', `/subjects/${subject}/versions`)).body).toEqual([1]);

      const v3 = { ...v1, properties: { ...v1.properties, note: { type: 'string' } } };
      const { sut: compatible } = newBus({ schemaFor: (t) => (t === topic ? v3 : undefined), topics: [topic], subjectOf: () => subject });
      await compatible.start();
      expect((await registry<number[]>('GET', `/subjects/${subject}/versions`)).body).toEqual([1, 2]);
    },
  );

  it('refuses to publish an event that violates its topic schema, naming the field, and sends none of the batch', async () => {
    const { sut, inner } = newBus();
    await sut.start();
    const bad = { ...triggered(5), data: { trigger: {}, source: { kind: 'carrier-pigeon', name: 'x' }, receivedAt: 'now' } };

    const error = await sut
      .publish([
        { topic: Topics.runTriggered, key: 'a', value: json(triggered(1)) },
        { topic: Topics.runTriggered, key: 'b', value: json(bad) },
      ])
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ContractViolationError);
    expect((error as ContractViolationError).issues.map((i) => i.path)).toEqual(expect.arrayContaining(['/data/source/kind']));
    expect(inner.retained(Topics.runTriggered)).toHaveLength(0);
  });

  it(
    'dead-letters a framed message whose schema id the registry does not know, or which its schema rejects, and keeps the partition ' +
      'flowing',
    async () => {
      const { sut, inner, subject } = newBus();
      const handled: unknown[] = [];
      sut.subscribe({
        groupId: 'g',
        topics: [Topics.runTriggered],
        handle: async (m) => (handled.push(decodeJson(m.value, m.topic)), 'processed'),
      });
      await sut.start();
      const { id } = (await registry<{ id: number }>('GET', `/subjects/${subject(Topics.runTriggered)}/versions/latest`)).body;
      const good = triggered(7);

      await inner.publish([
        { topic: Topics.runTriggered, key: run.runId, value: frame(987_654_321, json(good)) },
        { topic: Topics.runTriggered, key: run.runId, value: frame(id, json({ ...good, data: { trigger: 'no' } })) },
        { topic: Topics.runTriggered, key: run.runId, value: frame(id, json(good)) },
        { topic: Topics.runTriggered, key: run.runId, value: json(good) },
      ]);
      await inner.idle();

      expect(handled).toEqual([good, good]);
      const dead = inner.retained(deadLetterTopic(Topics.runTriggered));
      expect(dead.map((m) => m.headers[Headers.failureReason])).toEqual([
        expect.stringMatching(/names schema id 987654321, which the registry at .* does not know/),
        expect.stringMatching(new RegExp(`/data/trigger .*schema id ${id}`)),
      ]);
      // Contract violations are not retried.
      expect(dead.map((m) => m.headers[Headers.attempt] ?? '1')).toEqual(['1', '1']);
    },
  );

  it('leaves topics without a schema and values already framed as they are', async () => {
    const { sut, inner, subject } = newBus();
    const seen: Buffer[] = [];
    sut.subscribe({
      groupId: 'g',
      topics: [ingressTopic('refund-form'), Topics.runTriggered],
      handle: async (m) => (seen.push(m.value), 'processed'),
    });
    await sut.start();
    const { id } = (await registry<{ id: number }>('GET', `/subjects/${subject(Topics.runTriggered)}/versions/latest`)).body;
    const plain = json({ orgId: 'acme', payload: { amount: 3 } });
    const redriven = frame(id, json(triggered(3)));

    await sut.publish([
      { topic: ingressTopic('refund-form'), key: 'k', value: plain },
      { topic: Topics.runTriggered, key: 'k', value: redriven },
    ]);
    await inner.idle();

    expect(seen).toEqual([plain, redriven]);
  });

  it('rejects a publish as retriable while the registry is unreachable, and says so in health', async () => {
    const { sut } = newBus({ url: 'http://127.0.0.1:9', topics: [], timeoutMs: 1_000 });
    await sut.start();

    const error = (await sut
      .publish([{ topic: Topics.runTriggered, key: 'k', value: json(triggered(1)) }])
      .catch((e: unknown) => e)) as Error & { retriable?: boolean };

    expect(error.message).toMatch(
      new RegExp(
        'schema registry: registering the schema of baton.run.triggered under subject .*: ' +
          'the registry at http://127.0.0.1:9 is unreachable: .*ECONNREFUSED',
      ),
    );
    expect(error.retriable).toBe(true);
    expect(sut.health().detail).toMatch(/schema registry: last call failed: .*unreachable/);
  });
  it('keeps trying a registry it cannot reach yet at start, and starts once it answers; gives up after its budget', async () => {
    // A real TCP relay to the registry that opens only after a while, as a registry starting beside the services would.
    const target = new URL(registryUrl);
    const sockets = new Set<Socket>();
    const relay: Server = createServer((client) => {
      const upstream = connect(Number(target.port), target.hostname);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as { port: number };
        probe.close(() => resolve(free));
      });
    });
    try {
      const { sut, inner } = newBus({ url: `http://127.0.0.1:${port}`, timeoutMs: 1_000, startTimeoutMs: 20_000 });
      const starting = sut.start();
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await new Promise<void>((resolve) => relay.listen(port, '127.0.0.1', () => resolve()));
      await starting;
      const seen: unknown[] = [];
      sut.subscribe({ groupId: 'late', topics: [Topics.runTriggered], handle: async (m) => (seen.push(m.value[0]), 'processed') });
      await sut.publish([{ topic: Topics.runTriggered, key: run.runId, value: json(triggered(2)) }]);
      await inner.idle();
      expect(seen).toEqual([0]);

      const { sut: never } = newBus({ url: 'http://127.0.0.1:9', timeoutMs: 500, startTimeoutMs: 1_500 });
      await expect(never.start()).rejects.toThrow(/the registry at http:\/\/127.0.0.1:9 is unreachable/);
    } finally {
      sockets.forEach((s) => s.destroy());
      await new Promise((resolve) => relay.close(() => resolve(undefined)));
    }
  });
});
