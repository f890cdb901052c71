import { AllOrganisations, CurrentPrincipal, RequireRoles, type Principal } from '@baton/platform-runtime';
import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { DecisioningErrorCode, invalidInput, type DecisioningException, type FieldIssue } from '../decisioning.exception';
import type { ClassifierModelSummary } from './classifier-models.repository';
import { CalibrateFromHistoryUseCase } from './calibrate-from-history.use-case';
import { WorkflowClassifierService } from './workflow-classifier.service';

export class TrainClassifierDto {
  @ApiProperty({ example: 'banking77', description: 'A labelled dataset this server is configured with.' })
  dataset!: string;

  @ApiPropertyOptional({ example: 1, description: 'Seeds the train/calibration/held-out split and the training shuffle.' })
  seed?: number;
}

export class EvaluateClassifierDto {
  @ApiProperty({ example: 'banking77' })
  dataset!: string;

  @ApiPropertyOptional({ example: 0.99, description: 'Precision the automatic tier must reach; the workflow’s own when omitted.' })
  targetPrecision?: number;
}

/** Train, list and evaluate each workflow's classifier versions. */
@ApiTags('classifiers')
@ApiBearerAuth()
@Controller('classifiers')
export class ClassifiersController {
  constructor(
    private readonly classifiers: WorkflowClassifierService,
    private readonly calibrateFromHistory: CalibrateFromHistoryUseCase,
  ) {}

  @Get(':workflowId/calibration')
  @RequireRoles('operator')
  @ApiOperation({
    summary:
      "Thresholds calibrated from the workflow's decision history (suggestion, confidence, final human outcome) to reach a target precision, the coverage that results, and what lower thresholds would automate at what expected error rate.",
  })
  async calibration(@Param('workflowId') workflowId: string, @Query('targetPrecision') target?: string) {
    const targetPrecision = target === undefined ? 0.99 : Number(target);
    if (!Number.isFinite(targetPrecision) || targetPrecision <= 0.5 || targetPrecision > 1) {
      throw invalid([{ path: 'targetPrecision', message: 'must be a number in (0.5, 1]' }]);
    }
    return this.calibrateFromHistory.execute(workflowId, targetPrecision);
  }

  @Get(':workflowId')
  @RequireRoles('operator', 'reviewer')
  @ApiOperation({ summary: "A workflow's classifier versions with their held-out metrics and calibrated thresholds; the active one is marked." })
  async versions(@Param('workflowId') workflowId: string): Promise<{ versions: ClassifierModelSummary[] }> {
    return { versions: await this.classifiers.versions(workflowId) };
  }

  @Post(':workflowId/train')
  @RequireRoles('operator')
  // A workflow's classifier decides for every organisation that runs it.
  @AllOrganisations()
  @ApiOperation({ summary: 'Train a new version from a labelled dataset; it becomes active, and the training is audited.' })
  async train(@CurrentPrincipal() principal: Principal, @Param('workflowId') workflowId: string, @Body() body: unknown): Promise<ClassifierModelSummary> {
    const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const issues = [
      ...(typeof b.dataset !== 'string' || !b.dataset ? [{ path: '/dataset', message: 'is required: the name of a dataset this server knows' }] : []),
      ...(b.seed !== undefined && !Number.isInteger(b.seed) ? [{ path: '/seed', message: 'must be an integer' }] : []),
    ];
    if (issues.length) throw invalid(issues);
    return this.classifiers.train(workflowId, { dataset: b.dataset as string, seed: b.seed as number | undefined }, `person:${principal.id}`);
  }

  @Post(':workflowId/evaluate')
  @HttpCode(200)
  @RequireRoles('operator')
  @AllOrganisations()
  @ApiOperation({ summary: 'Accuracy, calibration, and the precision and coverage of the automatic tier on the held-out rows recorded at training.' })
  async evaluate(@Param('workflowId') workflowId: string, @Body() body: unknown) {
    const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const issues = [
      ...(typeof b.dataset !== 'string' || !b.dataset ? [{ path: '/dataset', message: 'is required' }] : []),
      ...(b.targetPrecision !== undefined && (typeof b.targetPrecision !== 'number' || b.targetPrecision <= 0.5 || b.targetPrecision > 1)
        ? [{ path: '/targetPrecision', message: 'must be a number in (0.5, 1]' }]
        : []),
    ];
    if (issues.length) throw invalid(issues);
    return this.classifiers.evaluate(workflowId, { dataset: b.dataset as string, targetPrecision: b.targetPrecision as number | undefined });
  }
}

function invalid(issues: FieldIssue[]): DecisioningException {
  return invalidInput(DecisioningErrorCode.InvalidClassifierRequest, 'invalid request', issues);
}
