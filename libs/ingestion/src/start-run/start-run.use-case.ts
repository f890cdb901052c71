import { createEvent, EventTypes, newRunId, Topics, type RunRef } from '@baton/contracts';
import { RunLedger } from '@baton/platform-database';
import { jsonIssues } from '@baton/platform-edge';
import { RunSpanAttributes, withRootSpan } from '@baton/platform-observability';
import { WorkflowCatalog } from '@baton/platform-runtime';
import { Injectable, Optional } from '@nestjs/common';
import { IngestionErrorCode, IngestionException, invalidRequest } from '../ingestion.exception';
import { IdempotencyKeyRepository, type IdempotencyClaim, type PriorUse } from './idempotency-key.repository';
import { RunAdmission } from './run-admission';
import { TriggerReceiptRepository } from './trigger-receipt.repository';

export interface StartRunCommand {
  workflowId: string;
  orgId: string;
  payload: Record<string, unknown>;
  source: { kind: 'api' | 'webhook' | 'event' | 'record_change' | 'schedule'; name: string };
  /** A sender-supplied key (Idempotency-Key, webhook id): the same key never starts two runs. */
  dedupeKey?: string;
  /** An admin API Idempotency-Key: scoped to its sender and route, compared by request fingerprint. */
  idempotency?: IdempotencyClaim;
  actor?: string;
}

export interface StartRunResult {
  runId: string;
  duplicate: boolean;
}

/**
 * Accepts a trigger: checks the workflow, organisation and payload, then durably records the
 * run's first transition, its audit entry and the run.triggered event in one transaction.
 * Once this returns, the run cannot be lost; everything after it is asynchronous.
 */
@Injectable()
export class StartRunUseCase {
  constructor(
    private readonly catalog: WorkflowCatalog,
    private readonly ledger: RunLedger,
    private readonly idempotencyKeys: IdempotencyKeyRepository,
    private readonly triggerReceipts: TriggerReceiptRepository,
    // Distributed mode: starts wait while the pipeline has as many runs in progress as it takes.
    @Optional() private readonly admission?: RunAdmission,
  ) {}

  async execute(command: StartRunCommand): Promise<StartRunResult> {
    const workflow = this.catalog.get(command.workflowId);
    if (!workflow) {
      throw new IngestionException(
        IngestionErrorCode.WorkflowNotFound,
        `workflow ${JSON.stringify(command.workflowId)} does not exist; known workflows: ${this.catalog
          .list()
          .map((w) => w.id)
          .join(', ')}`,
        undefined,
        'not_found',
      );
    }
    if (!this.catalog.organisation(command.orgId)) {
      throw invalidRequest(IngestionErrorCode.UnknownOrganisation, 'unknown organisation', [
        {
          path: '/orgId',
          message: `${JSON.stringify(command.orgId)} is not a known organisation (${this.catalog.organisationIds().join(', ')})`,
        },
      ]);
    }
    // Whatever the source (API, webhook, Kafka, a scan), nothing the database would refuse is taken in:
    // refused here it is a 400 or a dead letter at once, never a retry that cannot succeed.
    const unstorable = jsonIssues(command.payload, { at: '/payload' });
    if (unstorable.length > 0) throw invalidRequest(IngestionErrorCode.InvalidTrigger, 'trigger payload cannot be taken in', unstorable);
    const currency = (this.catalog.organisation(command.orgId) as { currency?: unknown } | undefined)?.currency;
    const issues = workflow.validateTrigger(command.payload, { currency: typeof currency === 'string' ? currency : undefined });
    if (issues.length > 0) {
      throw invalidRequest(
        IngestionErrorCode.InvalidTrigger,
        `trigger payload does not match workflow ${workflow.id}`,
        issues.map((i) => ({ path: `/payload${i.path}`, message: i.message })),
      );
    }

    // What was refused above did not wait; what is taken in waits for room in the pipeline, if any is kept.
    if (this.admission) await this.admission.enter();
    const run: RunRef = { runId: newRunId(), workflowId: workflow.id, workflowVersion: workflow.version, orgId: command.orgId };
    // The run's own trace starts here, whatever started it (linked to that request, message or
    // scan): its first transition, audit entry and event carry it, and every stage continues it.
    // Runs accepted at the same moment are committed together (group commit).
    return withRootSpan('run.start', runStartAttributes(run, command), (span) =>
      this.ledger.groupCommit(async (uow) => {
        if (command.idempotency) {
          const prior = await this.idempotencyKeys.claim(uow.manager, command.idempotency, run.runId);
          if (prior && prior.fingerprint !== command.idempotency.fingerprint) throw keyReused(command.idempotency, prior);
          if (prior) {
            span.setAttribute('baton.duplicate_of', prior.runId);
            return { runId: prior.runId, duplicate: true };
          }
        }
        if (command.dedupeKey) {
          const { duplicateOf } = await this.triggerReceipts.claim(uow, command.source.name, command.dedupeKey, run.runId);
          if (duplicateOf !== null) {
            span.setAttribute('baton.duplicate_of', duplicateOf);
            return { runId: duplicateOf, duplicate: true };
          }
        }
        const source = { ...command.source, ...(command.dedupeKey ? { dedupeKey: command.dedupeKey } : {}) };
        await uow.start(run, {
          to: 'triggered',
          stage: 'ingestion',
          actor: command.actor,
          detail: { source, trigger: command.payload },
        });
        await uow.audit({
          actor: command.actor ?? 'system:ingestion',
          action: 'run.start',
          targetType: 'run',
          targetId: run.runId,
          after: { workflowId: workflow.id, workflowVersion: workflow.version, orgId: command.orgId, trigger: command.payload },
          reason: { source },
          runId: run.runId,
        });
        const event = createEvent(
          EventTypes.runTriggered,
          run,
          { trigger: command.payload, source, receivedAt: new Date().toISOString() },
          { source: 'baton/ingestion' },
        );
        await uow.emit({ topic: Topics.runTriggered, key: run.runId, payload: event });
        return { runId: run.runId, duplicate: false };
      }),
    );
  }
}

function runStartAttributes(run: RunRef, command: StartRunCommand): Record<string, string | number> {
  return {
    [RunSpanAttributes.runId]: run.runId,
    [RunSpanAttributes.workflowId]: run.workflowId,
    'baton.workflow_version': run.workflowVersion,
    [RunSpanAttributes.orgId]: run.orgId,
    'baton.trigger.kind': command.source.kind,
    'baton.trigger.source': command.source.name,
  };
}

/** 422 naming the conflict: the key's first request, what differs, and until when the key is held. */
function keyReused(claim: IdempotencyClaim, prior: PriorUse): IngestionException {
  const differs = Object.keys({ ...prior.request, ...claim.request }).filter(
    (k) => JSON.stringify(prior.request[k]) !== JSON.stringify(claim.request[k]),
  );
  return new IngestionException(
    IngestionErrorCode.IdempotencyKeyReused,
    `Idempotency-Key ${JSON.stringify(claim.key)} was first used at ${prior.createdAt} for a different request ` +
      `(${differs.join(', ') || 'body'} differ) that started run ${prior.runId}; use a new key for a new request (this one is held ` +
      `until ${prior.expiresAt})`,
    {
      idempotencyKey: claim.key,
      differs,
      original: { ...prior.request, runId: prior.runId, at: prior.createdAt },
      expiresAt: prior.expiresAt,
    },
    'unprocessable',
  );
}
