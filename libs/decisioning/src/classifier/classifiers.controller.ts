import { AllOrganisations, CurrentPrincipal, RequireRoles, type Principal } from '@baton/platform-runtime';
import { requestBody, requestQuery, ValidBody, ValidQuery, type Accepted } from '@baton/platform-edge';
import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { DecisioningErrorCode, invalidInput, type DecisioningException, type FieldIssue } from '../decisioning.exception';
import type { ClassifierModelSummary } from './classifier-models.repository';
import { CalibrateFromHistoryUseCase } from './calibrate-from-history.use-case';
import { WorkflowClassifierService } from './workflow-classifier.service';

const PRECISION = 'must be a number in (0.5, 1]';
/** A target precision: above a coin toss, at most certain. */
const targetPrecision = () => z.number({ error: PRECISION }).gt(0.5, { error: PRECISION }).lte(1, { error: PRECISION });

/** `GET /classifiers/:workflowId/calibration`. Unknown parameters are ignored. */
export const calibrationQuery = requestQuery(
  z.object({
    targetPrecision: z.coerce
      .number({ error: PRECISION })
      .gt(0.5, { error: PRECISION })
      .lte(1, { error: PRECISION })
      .default(0.99)
      .meta({ description: 'Precision the automatic tier must reach.' }),
  }),
  { invalid },
);

/** `POST /classifiers/:workflowId/train`. */
export const trainClassifierRequest = requestBody(
  z.object({
    dataset: z
      .string({ error: 'is required: the name of a dataset this server knows' })
      .min(1, { error: 'is required: the name of a dataset this server knows' })
      .meta({ example: 'banking77', description: 'A labelled dataset this server is configured with.' }),
    seed: z
      .int({ error: 'must be an integer' })
      .optional()
      .meta({ example: 1, description: 'Seeds the train/calibration/held-out split and the training shuffle.' }),
  }),
  { invalid },
);

/** `POST /classifiers/:workflowId/evaluate`. */
export const evaluateClassifierRequest = requestBody(
  z.object({
    dataset: z.string({ error: 'is required' }).min(1, { error: 'is required' }).meta({ example: 'banking77' }),
    targetPrecision: targetPrecision()
      .optional()
      .meta({ example: 0.99, description: 'Precision the automatic tier must reach; the workflow’s own when omitted.' }),
  }),
  { invalid },
);

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
      "Thresholds calibrated from the workflow's decision history (suggestion, confidence, final human outcome) to reach a target " +
      'precision, the coverage that results, and what lower thresholds would automate at what expected error rate.',
  })
  async calibration(@Param('workflowId') workflowId: string, @ValidQuery(calibrationQuery) query: Accepted<typeof calibrationQuery>) {
    return this.calibrateFromHistory.execute(workflowId, query.targetPrecision);
  }

  @Get(':workflowId')
  @RequireRoles('operator', 'reviewer')
  @ApiOperation({
    summary: "A workflow's classifier versions with their held-out metrics and calibrated thresholds; the active one is marked.",
  })
  async versions(@Param('workflowId') workflowId: string): Promise<{ versions: ClassifierModelSummary[] }> {
    return { versions: await this.classifiers.versions(workflowId) };
  }

  @Post(':workflowId/train')
  @RequireRoles('operator')
  // A workflow's classifier decides for every organisation that runs it.
  @AllOrganisations()
  @ApiOperation({ summary: 'Train a new version from a labelled dataset; it becomes active, and the training is audited.' })
  async train(
    @CurrentPrincipal() principal: Principal,
    @Param('workflowId') workflowId: string,
    @ValidBody(trainClassifierRequest) body: Accepted<typeof trainClassifierRequest>,
  ): Promise<ClassifierModelSummary> {
    return this.classifiers.train(workflowId, body, `person:${principal.id}`);
  }

  @Post(':workflowId/evaluate')
  @HttpCode(200)
  @RequireRoles('operator')
  @AllOrganisations()
  @ApiOperation({
    summary: 'Accuracy, calibration, and the precision and coverage of the automatic tier on the held-out rows recorded at training.',
  })
  async evaluate(
    @Param('workflowId') workflowId: string,
    @ValidBody(evaluateClassifierRequest) body: Accepted<typeof evaluateClassifierRequest>,
  ) {
    return this.classifiers.evaluate(workflowId, body);
  }
}

function invalid(issues: FieldIssue[]): DecisioningException {
  return invalidInput(DecisioningErrorCode.InvalidClassifierRequest, 'invalid request', issues);
}
