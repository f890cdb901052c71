import {
  BANKING77_TEAMS,
  groupPrediction,
  loadBanking77,
  TextClassifier,
  trainCalibratedClassifierYielding,
  recordedParts,
  assessModel,
} from '@baton/classifier';
import { RunLedger } from '@baton/platform-database';
import { RUNTIME_OPTIONS, WorkflowCatalog, type RuntimeOptions } from '@baton/platform-runtime';
import type { CompiledWorkflow, ExpressionVariables } from '@baton/workflow';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DecisioningErrorCode, DecisioningException } from '../decisioning.exception';
import type { AppliedThresholds, ClassifierReading } from '../decide-run/decision-engine.util';
import { ClassifierModelsRepository, type ClassifierModelSummary } from './classifier-models.repository';
import { ExternalModelClient } from './external-model.client';

const LABEL_GROUPS: Record<string, Readonly<Record<string, string>>> = { 'banking77-teams': BANKING77_TEAMS };

/** How long a process trusts its cached active version before asking the database again. */
const VERSION_CHECK_MS = 5000;

interface Loaded {
  version: number;
  model: TextClassifier;
  summary: ClassifierModelSummary;
  checkedAt: number;
}

/**
 * Each workflow's classifier: training from a labelled history into a new stored, audited
 * version; reading a run with the active version; and the thresholds that apply to a run —
 * an organisation's override, else the workflow's own, else those calibrated with the model
 * to reach the workflow's target precision, else the defaults.
 */
@Injectable()
export class WorkflowClassifierService {
  private readonly logger = new Logger(WorkflowClassifierService.name);
  private readonly cache = new Map<string, Loaded>();

  constructor(
    private readonly models: ClassifierModelsRepository,
    private readonly ledger: RunLedger,
    private readonly catalog: WorkflowCatalog,
    @Inject(RUNTIME_OPTIONS) private readonly options: RuntimeOptions,
  ) {}

  async read(
    workflow: CompiledWorkflow,
    vars: ExpressionVariables,
  ): Promise<{ reading: ClassifierReading | null; calibrated: ClassifierModelSummary | null }> {
    const spec = workflow.decision.classifier;
    if (!spec) return { reading: null, calibrated: null };
    if (spec.provider === 'external') {
      const model = this.options.externalModel;
      if (!model) throw new Error(`workflow ${workflow.id} uses an external model, and none is configured (BATON_MODEL_URL)`);
      return {
        reading: await new ExternalModelClient(model).classify(spec.text.evaluateString(vars), spec.labels ?? []),
        calibrated: null,
      };
    }
    const loaded = await this.active(workflow.id);
    if (!loaded) return { reading: null, calibrated: null };
    const raw = loaded.model.predict(spec.text.evaluateString(vars));
    const prediction = spec.labelGroups ? groupPrediction(raw, LABEL_GROUPS[spec.labelGroups]!) : raw;
    return {
      reading: {
        modelId: loaded.summary.modelId,
        version: loaded.version,
        label: prediction.label,
        confidence: prediction.confidence,
        ranking: prediction.ranking.slice(0, 5).map(({ label, p }) => ({ label, p })),
      },
      calibrated: loaded.summary,
    };
  }

  thresholdsFor(workflow: CompiledWorkflow, orgId: string, calibrated: ClassifierModelSummary | null): AppliedThresholds {
    const org = this.catalog.organisation(orgId) as { thresholds?: Record<string, { auto?: number; suggest?: number }> } | undefined;
    const override = org?.thresholds?.[workflow.id];
    if (override && typeof override.auto === 'number' && typeof override.suggest === 'number') {
      return { auto: override.auto, suggest: override.suggest, source: 'organisation' };
    }
    if (workflow.definition.decision?.thresholds) return { ...workflow.decision.thresholds, source: 'workflow' };
    if (calibrated) return { auto: calibrated.thresholds.auto, suggest: calibrated.thresholds.suggest, source: 'calibrated' };
    return { ...workflow.decision.thresholds, source: 'default' };
  }

  /** Trains a new version from a named dataset the server knows, makes it active and audits it. */
  async train(workflowId: string, request: { dataset: string; seed?: number }, actor: string): Promise<ClassifierModelSummary> {
    const workflow = this.classified(workflowId);
    const dir = this.datasetDir(request.dataset);
    const { examples } = await loadBanking77(dir);
    // About 6 s of CPU on banking77: trained in chunks with the event loop turning between them,
    // so this process keeps answering requests and heartbeating its Kafka group meanwhile.
    const started = performance.now();
    const training = await trainCalibratedClassifierYielding(examples, {
      seed: request.seed ?? 1,
      targetPrecision: workflow.decision.classifier!.targetPrecision,
    });
    const trainingSeconds = Math.round((performance.now() - started) / 100) / 10;
    const metrics = { ...(training.model.metadata.metrics ?? {}), trainingSeconds, examples: examples.length };
    const thresholds = {
      auto: training.thresholds.auto,
      suggest: training.thresholds.suggest,
      targetPrecision: training.thresholds.targetPrecision,
    };
    const trained = await this.ledger.transaction(async (uow) => {
      const version = await this.models.insertActive(uow.manager, {
        workflowId,
        modelId: training.model.id,
        createdBy: actor,
        source: `dataset:${request.dataset}`,
        metrics,
        thresholds,
        model: JSON.stringify(training.model.toJSON()),
      });
      await uow.audit({
        actor,
        action: 'classifier.train',
        targetType: 'classifier',
        targetId: `${workflowId}@${version}`,
        after: { modelId: training.model.id, version, thresholds },
        reason: { dataset: request.dataset, metrics },
      });
      return version;
    });
    this.cache.delete(workflowId);
    this.logger.log({ workflowId, version: trained, ...thresholds }, 'classifier trained');
    return (await this.models.list(workflowId)).find((m) => m.version === trained)!;
  }

  /** Scores the active version on the held-out rows recorded at training, at a target precision. */
  async evaluate(workflowId: string, request: { dataset: string; targetPrecision?: number }) {
    const workflow = this.classified(workflowId);
    const loaded = await this.active(workflowId);
    if (!loaded)
      throw new DecisioningException(
        DecisioningErrorCode.ClassifierNotTrained,
        `workflow ${workflowId} has no trained classifier yet`,
        undefined,
        'conflict',
      );
    const { examples } = await loadBanking77(this.datasetDir(request.dataset));
    const split = loaded.model.metadata.split;
    if (!split)
      throw new DecisioningException(
        DecisioningErrorCode.ClassifierNotTrained,
        'the active model has no recorded split to evaluate on',
        undefined,
        'conflict',
      );
    const { calibration, heldOut } = recordedParts(examples, split);
    const target = request.targetPrecision ?? workflow.decision.classifier!.targetPrecision;
    const assessment = assessModel(loaded.model, calibration, heldOut, { targetPrecision: target });
    return {
      workflowId,
      version: loaded.version,
      modelId: loaded.summary.modelId,
      heldOut: {
        examples: heldOut.length,
        accuracy: assessment.heldOut.accuracy,
        logLoss: assessment.heldOut.logLoss,
        ece: assessment.heldOut.ece,
        eceBeforeTemperature: assessment.heldOutEceBeforeTemperature,
      },
      automatic: {
        targetPrecision: target,
        threshold: assessment.thresholds.auto,
        suggest: assessment.thresholds.suggest,
        precision: assessment.heldOut.automatic?.precision ?? null,
        coverage: assessment.heldOut.automatic?.coverage ?? 0,
      },
      report: assessment.heldOutReport,
    };
  }

  async versions(workflowId: string): Promise<ClassifierModelSummary[]> {
    this.classified(workflowId);
    return this.models.list(workflowId);
  }

  private async active(workflowId: string): Promise<Loaded | null> {
    const cached = this.cache.get(workflowId);
    if (cached && performance.now() - cached.checkedAt < VERSION_CHECK_MS) return cached;
    const version = await this.models.activeVersion(workflowId);
    if (version === null) return null;
    if (cached?.version === version) {
      cached.checkedAt = performance.now();
      return cached;
    }
    const row = await this.models.load(workflowId, version);
    if (!row) return null;
    const { model: serialised, ...summary } = row;
    const loaded = { version, model: TextClassifier.fromJSON(serialised), summary, checkedAt: performance.now() };
    this.cache.set(workflowId, loaded);
    return loaded;
  }

  private classified(workflowId: string): CompiledWorkflow {
    const workflow = this.catalog.get(workflowId);
    if (!workflow)
      throw new DecisioningException(
        DecisioningErrorCode.WorkflowNotFound,
        `workflow ${workflowId} does not exist`,
        undefined,
        'not_found',
      );
    if (!workflow.decision.classifier) {
      throw new DecisioningException(
        DecisioningErrorCode.ClassifierNotTrained,
        `workflow ${workflowId} has no classifier in its decision`,
        undefined,
        'unprocessable',
      );
    }
    return workflow;
  }

  private datasetDir(name: string): string {
    const dir = this.options.datasets?.[name];
    if (!dir) {
      throw new DecisioningException(
        DecisioningErrorCode.UnknownDataset,
        `unknown dataset ${JSON.stringify(name)}; this server knows: ${Object.keys(this.options.datasets ?? {}).join(', ') || 'none'}`,
        { issues: [{ path: '/dataset', message: 'is not a dataset this server knows' }] },
      );
    }
    return dir;
  }
}
