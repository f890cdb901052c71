import { randomUUID } from 'node:crypto';
import { createEvent, EventTypes, Topics, type RunDecided, type RunRef, type RunState } from '@baton/contracts';
import { openDataSource, RunLedger, sharedEntities, sharedMigrations } from '@baton/platform-database';
import { DomainException, RetriableError } from '@baton/platform-errors';
import { DEFAULT_RETRY_POLICY, routeFailure, type DeliveredMessage } from '@baton/platform-messaging';
import type { DataSource } from 'typeorm';
import { verificationEntities, verificationMigrations } from '../../index';

export async function openTestDatabase(): Promise<{ dataSource: DataSource; ledger: RunLedger }> {
  const dataSource = await openDataSource({
    database: { kind: 'pglite' },
    entities: [...sharedEntities, ...verificationEntities],
    migrations: [...sharedMigrations, ...verificationMigrations],
  });
  return { dataSource, ledger: new RunLedger(dataSource, 'verification') };
}

const PATH: Record<string, RunState[]> = {
  triggered: ['triggered'],
  enriched: ['triggered', 'enriched'],
  decided: ['triggered', 'enriched', 'decided'],
  acting: ['triggered', 'enriched', 'decided', 'acting'],
  verifying: ['triggered', 'enriched', 'decided', 'acting', 'verifying'],
};

/** A refund-request run moved along the pipeline to `state`, as the stages would have. */
export async function runIn(ledger: RunLedger, state: keyof typeof PATH): Promise<RunRef> {
  const run: RunRef = { runId: randomUUID(), workflowId: 'refund-request', workflowVersion: 1, orgId: 'acme' };
  let from: RunState | null = null;
  for (const to of PATH[state]!) {
    const previous: RunState | null = from;
    await ledger.transaction((uow) => uow.transition(run, { to, from: [previous], stage: 'test' }));
    from = to;
  }
  return run;
}

export function decidedEvent(run: RunRef): RunDecided {
  return createEvent(
    EventTypes.runDecided,
    run,
    {
      trigger: { customerId: 'cus_northwind', amount: 25, reason: 'test' },
      context: {},
      decision: {
        outcome: 'act',
        tier: 'rules',
        confidence: 1,
        rulesEvaluated: [],
        rulesFired: [],
        reason: 'within limit',
        decidedBy: { kind: 'system', id: 'rules' },
      },
    } as unknown as RunDecided['data'],
    { source: 'test' },
  );
}

let offset = 0;

/**
 * What the bus puts on a dead-letter topic when `group` gives up on `value` from `topic`, built
 * by the bus's own failure routing, as the dead-letter consumer receives it.
 */
export function deadLetterOf(
  topic: string,
  key: string,
  value: Buffer | string | object,
  failure: { transient?: boolean; message?: string; group?: string; headers?: Record<string, string> } = {},
): DeliveredMessage {
  const body = Buffer.isBuffer(value) ? value : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
  const original: DeliveredMessage = {
    topic,
    partition: 1,
    offset: String(offset++),
    key,
    value: body,
    headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', ...failure.headers },
    attempt: failure.transient ? DEFAULT_RETRY_POLICY.maxAttempts : 1,
  };
  const error = failure.transient
    ? Object.assign(new RetriableError(failure.message ?? 'action refund: billing.issueRefund: server error (503)'), {
        failureClass: 'transient',
      })
    : new DomainException(
        'invalid',
        failure.message ?? `${topic} violates its contract: /data is required (rule: required)`,
        undefined,
        'reject',
      );
  const route = routeFailure(original, failure.group ?? 'baton-action', error, DEFAULT_RETRY_POLICY, Date.parse('2025-03-01T09:00:00Z'));
  return {
    topic: route.message.topic,
    partition: 2,
    offset: String(offset++),
    key: route.message.key,
    value: route.message.value,
    headers: route.message.headers!,
    attempt: 1,
  };
}

export const RUN_DECIDED_DLQ = `${Topics.runDecided}.dlq`;
