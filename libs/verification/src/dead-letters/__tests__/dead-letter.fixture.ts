import { randomUUID } from 'node:crypto';
import { createEvent, EventTypes, Topics, type RunDecided, type RunRef, type RunState } from '@baton/contracts';
import { openServicePglite, RunLedger } from '@baton/platform-database';
import { DomainException, RetriableError } from '@baton/platform-errors';
import { DEFAULT_RETRY_POLICY, routeFailure, type DeliveredMessage } from '@baton/platform-messaging';
import { BatonMetrics } from '@baton/platform-observability';
import { useTestDataSource } from '@baton/platform-testing';
import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { verificationEntities, verificationMigrations } from '../../index';
import { DeadLetterMetricsService } from '../dead-letter-metrics.service';
import { DeadLetterRepository } from '../dead-letter.repository';
import { StoreDeadLetterUseCase } from '../store-dead-letter.use-case';

export async function openTestDatabase(): Promise<{ dataSource: DataSource; ledger: RunLedger }> {
  const dataSource = await openServicePglite(verificationEntities, verificationMigrations);
  return { dataSource, ledger: new RunLedger(dataSource, 'verification') };
}

export interface DeadLetterTestBed {
  readonly dataSource: DataSource;
  readonly ledger: RunLedger;
  readonly repository: DeadLetterRepository;
  /** Stores dead letters as the consumer does, so a test starts from dead letters really stored. */
  readonly store: StoreDeadLetterUseCase;
}

/**
 * The verification tables on a fresh PGlite for the calling `describe` (rows of `emptied` deleted
 * before each test), with the run ledger and the dead-letter repository over them; Nest's logger is
 * silenced. Read its fields inside hooks and tests.
 */
export function useDeadLetterTestBed(emptied: readonly string[] = []): DeadLetterTestBed {
  const db = useTestDataSource(() => openServicePglite(verificationEntities, verificationMigrations), emptied);
  const bed = {} as { -readonly [K in keyof DeadLetterTestBed]: DeadLetterTestBed[K] };
  beforeAll(() => {
    Logger.overrideLogger(false);
    bed.dataSource = db.dataSource;
    bed.ledger = new RunLedger(bed.dataSource, 'verification');
    bed.repository = new DeadLetterRepository(bed.dataSource);
    bed.store = new StoreDeadLetterUseCase(
      bed.ledger,
      bed.repository,
      new DeadLetterMetricsService(new BatonMetrics('verification-test'), bed.repository),
    );
  });
  return bed;
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
