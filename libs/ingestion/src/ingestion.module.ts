import { Module } from '@nestjs/common';
import { RunsController } from './runs/runs.controller';
import { ScheduledScanService } from './schedules/scheduled-scan.service';
import { StartRunUseCase } from './start-run/start-run.use-case';
import { WorkflowsController } from './workflows/workflows.controller';

/** Trigger intake: the admin API's run and workflow endpoints, schedules, and starting runs. */
@Module({
  controllers: [RunsController, WorkflowsController],
  providers: [StartRunUseCase, ScheduledScanService],
  exports: [StartRunUseCase, ScheduledScanService],
})
export class IngestionModule {}
