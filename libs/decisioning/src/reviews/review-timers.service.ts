import { RunLedger } from '@baton/platform-database';
import { errorMessage } from '@baton/platform-errors';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown, Inject } from '@nestjs/common';
import { RUNTIME_OPTIONS, type RuntimeOptions } from '@baton/platform-runtime';
import { notifyOwner } from './review-assignment.use-case';
import { ReviewTaskRepository } from './review-task.repository';
import { ResolveReviewUseCase } from './resolve-review.use-case';

export interface TimerTick {
  autoApproved: string[];
  escalated: string[];
}

/**
 * The durable timers of review tasks. Their state is the task rows (`auto_approve_at`,
 * `deadline`), so a restart loses nothing; each tick locks due rows with SKIP LOCKED and closes
 * or moves them in the same transaction, so across replicas each timer fires once.
 * - fast-track: an open task past its quiet period is approved by `system:fast-track`;
 * - escalation: an open, unclaimed task past its deadline moves to the next owner of its chain.
 */
@Injectable()
export class ReviewTimersService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ReviewTimersService.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly reviews: ReviewTaskRepository,
    private readonly ledger: RunLedger,
    private readonly resolver: ResolveReviewUseCase,
    @Inject(RUNTIME_OPTIONS) private readonly options: RuntimeOptions,
  ) {}

  onApplicationBootstrap(): void {
    if (this.options.schedules === false) return;
    this.timer = setInterval(() => void this.tick().catch((e) => this.logger.error(`review timers failed: ${errorMessage(e)}`)), 5000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async tick(now: Date = new Date()): Promise<TimerTick> {
    const result: TimerTick = { autoApproved: [], escalated: [] };
    await this.ledger.transaction(async (uow) => {
      for (const task of await this.reviews.dueForAutoApproval(uow.manager, now)) {
        await this.resolver.resolve(uow, task, { kind: 'system', id: 'fast-track' }, 'system:fast-track', {
          reviewId: task.id,
          verdict: 'approve',
          rationale: `no objection within the quiet period (due ${task.autoApproveAt})`,
        });
        result.autoApproved.push(task.id);
      }
      for (const task of await this.reviews.dueForEscalation(uow.manager, now)) {
        const next = task.escalationChain[task.escalationLevel];
        if (!next) continue;
        const deadline = task.deadlineMs ? new Date(now.getTime() + task.deadlineMs) : null;
        await this.reviews.update(uow.manager, task.id, { owner: next, escalation_level: task.escalationLevel + 1, deadline });
        await uow.audit({
          actor: 'system:decisioning',
          action: 'review.escalate',
          targetType: 'review',
          targetId: task.id,
          before: { owner: task.owner, escalationLevel: task.escalationLevel },
          after: { owner: next, escalationLevel: task.escalationLevel + 1 },
          reason: { reason: `unclaimed past its deadline ${task.deadline}` },
          runId: task.runId,
        });
        await notifyOwner(uow, {
          ...task,
          owner: next,
          escalationLevel: task.escalationLevel + 1,
          deadline: deadline?.toISOString() ?? null,
        });
        result.escalated.push(task.id);
      }
    });
    if (result.autoApproved.length || result.escalated.length) this.logger.log({ ...result }, 'review timers fired');
    return result;
  }
}
