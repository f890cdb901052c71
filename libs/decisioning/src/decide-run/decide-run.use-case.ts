import { randomUUID } from 'node:crypto';
import { createEvent, EventTypes, runRefOf, Topics, type Decision, type RunEnriched } from '@baton/contracts';
import { RunLedger } from '@baton/platform-database';
import type { ConsumeOutcome } from '@baton/platform-messaging';
import { annotateActiveSpan, BatonMetrics, RunSpanAttributes } from '@baton/platform-observability';
import { runVariables, WorkflowCatalog } from '@baton/platform-runtime';
import type { CompiledWorkflow } from '@baton/workflow';
import { Injectable, Logger } from '@nestjs/common';
import { DecisioningErrorCode, DecisioningException } from '../decisioning.exception';
import { ReviewTaskRepository, type ReviewQueue } from '../reviews/review-task.repository';
import { WorkflowClassifierService } from '../classifier/workflow-classifier.service';
import { decide } from './decision-engine.util';

export const DECISIONING_CONSUMER = 'baton-decisioning';

/**
 * Decides an enriched run and records why: acts (run.decided), asks a person (a review task
 * and review.requested), or rejects (run.completed with status rejected). The decision, the
 * rules evaluated and fired, and the confidence go on the timeline and into the audit log.
 */
@Injectable()
export class DecideRunUseCase {
  private readonly logger = new Logger(DecideRunUseCase.name);

  constructor(
    private readonly catalog: WorkflowCatalog,
    private readonly ledger: RunLedger,
    private readonly reviews: ReviewTaskRepository,
    private readonly metrics: BatonMetrics,
    private readonly classifier: WorkflowClassifierService,
  ) {}

  async execute(event: RunEnriched): Promise<ConsumeOutcome> {
    const run = runRefOf(event);
    const workflow = this.catalog.get(event.workflowid);
    if (!workflow) {
      throw new DecisioningException(
        DecisioningErrorCode.WorkflowNotFound,
        `workflow ${event.workflowid} is not loaded in this process`,
        undefined,
        'reject',
      );
    }
    const vars = runVariables(event, this.catalog);
    let reading: Awaited<ReturnType<WorkflowClassifierService['read']>> = { reading: null, calibrated: null };
    let classifierError: string | undefined;
    try {
      reading = await this.classifier.read(workflow, vars);
    } catch (error) {
      // A classifier that cannot read the run (or cannot be reached) is a reason to ask a person, not to fail the run.
      classifierError = `the classifier could not read the run: ${(error as Error).message}`;
      this.logger.warn({ runId: run.runId, error: (error as Error).message }, 'classifier could not read the run');
    }
    const decision = decide(workflow, vars, {
      classifier: reading.reading,
      classifierError,
      thresholds: this.classifier.thresholdsFor(workflow, run.orgId, reading.calibrated),
    });
    const result = await this.ledger.consume({ consumer: DECISIONING_CONSUMER, eventId: event.id }, async (uow) => {
      const current = await uow.current(run.runId);
      if (current?.state !== 'enriched') {
        this.logger.log({ runId: run.runId, state: current?.state ?? null }, 'run is not awaiting a decision; skipped');
        return;
      }
      const detail = { decision };
      await uow.audit({
        actor: 'system:decisioning',
        action: 'run.decide',
        targetType: 'run',
        targetId: run.runId,
        after: { outcome: decision.outcome, tier: decision.tier, suggestion: decision.suggestion },
        reason: { rulesFired: decision.rulesFired, confidence: decision.confidence, reason: decision.reason },
        runId: run.runId,
      });
      const data = { trigger: event.data.trigger, context: event.data.context };
      if (decision.outcome === 'act' && (decision.approval ?? 'instant') === 'instant' && !decision.drafts?.length) {
        await uow.transition(run, { to: 'decided', stage: 'decisioning', reason: decision.reason, causeEventId: event.id, detail });
        const decided = createEvent(EventTypes.runDecided, run, { ...data, decision }, { source: 'baton/decisioning', cause: event });
        await uow.emit({ topic: Topics.runDecided, key: run.runId, payload: decided });
      } else if (decision.outcome === 'reject') {
        await uow.transition(run, { to: 'rejected', stage: 'decisioning', reason: decision.reason, causeEventId: event.id, detail });
        const completed = createEvent(
          EventTypes.runCompleted,
          run,
          { status: 'rejected', verifications: [], reason: decision.reason },
          { source: 'baton/decisioning', cause: event },
        );
        await uow.emit({ topic: Topics.runCompleted, key: run.runId, payload: completed });
      } else {
        const task = this.reviewTaskFor(workflow, decision, new Date());
        const reviewId = randomUUID();
        await this.reviews.insert(uow.manager, {
          id: reviewId,
          runId: run.runId,
          workflowId: run.workflowId,
          workflowVersion: run.workflowVersion,
          orgId: run.orgId,
          ...task,
          trigger: data.trigger,
          context: data.context,
          proposal: decision,
          causeEventId: event.id,
          correlationId: event.correlationid,
        });
        await uow.transition(run, {
          to: 'awaiting_review',
          stage: 'decisioning',
          reason: reviewReason(decision, task.queue),
          causeEventId: event.id,
          detail: { ...detail, reviewId, queue: task.queue, owner: task.owner, autoApproveAt: task.autoApproveAt },
        });
        const requested = createEvent(
          EventTypes.reviewRequested,
          run,
          {
            reviewId,
            queue: task.queue,
            owner: task.owner,
            ...data,
            proposal: decision,
            ...(task.deadline ? { deadline: task.deadline } : {}),
            ...(task.autoApproveAt ? { autoApproveAt: task.autoApproveAt } : {}),
            escalationLevel: 0,
          },
          { source: 'baton/decisioning', cause: event },
        );
        await uow.emit({ topic: Topics.reviewRequested, key: run.runId, payload: requested });
      }
    });
    if (result.outcome === 'processed')
      this.metrics.decisions.inc({ workflow: workflow.id, tier: decision.tier, outcome: decision.outcome });
    annotateActiveSpan({ [RunSpanAttributes.tier]: decision.tier, 'baton.decision.outcome': decision.outcome });
    return result.outcome;
  }

  /**
   * Where a decision that needs a person goes: an `act` under fast_track waits for its quiet
   * period, under full_review for the designated approver; a `review` goes to the owner with
   * the suggestion, a `manual` to the manual queue. Every task gets the workflow's deadline
   * and escalation chain.
   */
  private reviewTaskFor(workflow: CompiledWorkflow, decision: Decision, now: Date) {
    const approval = workflow.decision.approval;
    const review = workflow.decision.review;
    const queue: ReviewQueue =
      decision.outcome === 'manual'
        ? 'manual'
        : decision.outcome === 'review'
          ? 'suggested'
          : decision.drafts?.length
            ? 'draft'
            : approval?.tier === 'fast_track'
              ? 'fast_track'
              : 'approval';
    const approver = approval?.tier === 'full_review' ? (approval.approver ?? workflow.owner) : null;
    const owner = approver && !approver.startsWith('role:') ? approver : workflow.owner;
    const at = (ms?: number) => (ms === undefined ? null : new Date(now.getTime() + ms).toISOString());
    return {
      queue,
      owner,
      approval: approval?.tier ?? 'instant',
      approver,
      deadline: at(review?.deadlineMs),
      deadlineMs: review?.deadlineMs ?? null,
      autoApproveAt: queue === 'fast_track' ? at(approval?.quietPeriodMs) : null,
      escalationChain: [...(review?.escalation ?? [])],
    };
  }
}

function reviewReason(decision: Decision, queue: ReviewQueue): string {
  if (queue === 'draft') return `${decision.reason}; outbound messages held as drafts: ${decision.drafts?.[0]?.reasons.join('; ')}`;
  if (queue === 'fast_track') return `${decision.reason}; fast-track: approved after the quiet period unless someone objects`;
  if (queue === 'approval') return `${decision.reason}; full review: the designated approver decides`;
  return decision.reason;
}
