import { Module } from '@nestjs/common';
import { RunsController } from './runs/runs.controller';
import { StartRunUseCase } from './start-run/start-run.use-case';
import { WorkflowsController } from './workflows/workflows.controller';

/** Trigger intake: the admin API's run and workflow endpoints, and starting runs. */
@Module({
  controllers: [RunsController, WorkflowsController],
  providers: [StartRunUseCase],
  exports: [StartRunUseCase],
})
export class IngestionModule {}
