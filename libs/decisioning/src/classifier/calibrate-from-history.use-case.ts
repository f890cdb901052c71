import { calibrateThresholds, type ConfidenceOutcome, type ThresholdCalibration } from '@baton/classifier';
import { WorkflowCatalog } from '@baton/platform-runtime';
import { Injectable } from '@nestjs/common';
import { DecisioningErrorCode, DecisioningException } from '../decisioning.exception';
import { ReviewTaskRepository } from '../reviews/review-task.repository';

export interface HistoryCalibration extends ThresholdCalibration {
  workflowId: string;
  /** The thresholds the workflow decides with today, for comparison. */
  current: { auto: number; suggest: number };
  /** How the history was read: which past decisions count as right and which as wrong. */
  basis: string;
}

/**
 * Calibrates a workflow's confidence thresholds from its own decision history: every proposal
 * a person judged — the system's suggestion and confidence, and the final human outcome (right
 * when approved as suggested; wrong when rejected or approved with another suggestion). The
 * lowest threshold whose automatic tier reaches the target precision at the Wilson lower bound
 * is proposed, so a short history stays conservative (nothing automatic until it proves itself),
 * with a table of what lower thresholds would automate and at what expected error rate.
 */
@Injectable()
export class CalibrateFromHistoryUseCase {
  constructor(
    private readonly reviews: ReviewTaskRepository,
    private readonly catalog: WorkflowCatalog,
  ) {}

  async execute(workflowId: string, targetPrecision = 0.99): Promise<HistoryCalibration> {
    const workflow = this.catalog.get(workflowId);
    if (!workflow)
      throw new DecisioningException(
        DecisioningErrorCode.WorkflowNotFound,
        `workflow ${workflowId} does not exist`,
        undefined,
        'not_found',
      );
    const rows = await this.reviews.judgedProposals(workflowId);
    const history: ConfidenceOutcome[] = rows.map((r) => ({
      confidence: Number(r.confidence),
      correct: r.status === 'approved' && (r.proposed ?? null) === (r.final ?? null),
    }));
    const calibration = calibrateThresholds(history, { targetPrecision });
    return {
      ...calibration,
      workflowId,
      current: { auto: workflow.decision.thresholds.auto, suggest: workflow.decision.thresholds.suggest },
      basis: 'reviewed proposals: approved as suggested = right; rejected or approved with another suggestion = wrong',
    };
  }
}
