import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Trained classifier versions per workflow: the model, its metrics and calibrated thresholds. */
export class CreateClassifierModels1764144400000 implements MigrationInterface {
  name = 'CreateClassifierModels1764144400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE decisioning.classifier_model (
        workflow_id text NOT NULL,
        version int NOT NULL,
        model_id text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text NOT NULL,
        source text NOT NULL,
        metrics jsonb NOT NULL,
        thresholds jsonb NOT NULL,
        model text NOT NULL,
        active boolean NOT NULL DEFAULT false,
        PRIMARY KEY (workflow_id, version)
      )`);
    // At most one active version per workflow.
    await q.query(`CREATE UNIQUE INDEX classifier_model_active ON decisioning.classifier_model (workflow_id) WHERE active`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE decisioning.classifier_model`);
  }
}
