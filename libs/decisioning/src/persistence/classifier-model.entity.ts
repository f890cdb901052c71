import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ClassifierThresholds } from '../classifier/classifier-model.types';
import { DECISIONING_SCHEMA } from './review-task.entity';

/** One trained classifier version of a workflow; at most one per workflow is active (a unique index). */
@Entity({ schema: DECISIONING_SCHEMA, name: 'classifier_model' })
export class ClassifierModelEntity {
  @PrimaryColumn({ name: 'workflow_id', type: 'text' })
  workflowId!: string;

  @PrimaryColumn({ type: 'int' })
  version!: number;

  @Column({ name: 'model_id', type: 'text' })
  modelId!: string;

  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false })
  createdAt!: Date;

  @Column({ name: 'created_by', type: 'text' })
  createdBy!: string;

  @Column({ type: 'text' })
  source!: string;

  @Column({ type: 'jsonb' })
  metrics!: Record<string, unknown>;

  @Column({ type: 'jsonb' })
  thresholds!: ClassifierThresholds;

  /** The serialised model: large, read only to load it. */
  @Column({ type: 'text' })
  model!: string;

  @Column({ type: 'boolean', default: false })
  active!: boolean;
}
