import { READ_ROLES, RequireRoles, WorkflowCatalog } from '@baton/platform-runtime';
import type { CompiledWorkflow } from '@baton/workflow';
import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IngestionErrorCode, IngestionException } from '../ingestion.exception';

@ApiTags('workflows')
@ApiBearerAuth()
@RequireRoles(...READ_ROLES)
@Controller('workflows')
export class WorkflowsController {
  constructor(private readonly catalog: WorkflowCatalog) {}

  @Get()
  @ApiOperation({ summary: 'Workflows loaded, and the files that were rejected with their errors.' })
  list(): { workflows: unknown[]; rejected: Array<{ message: string }> } {
    return {
      workflows: this.catalog.list().map(summary),
      rejected: this.catalog.errors.map((e) => ({ message: e.message })),
    };
  }

  @Get(':workflowId')
  @ApiOperation({ summary: 'One workflow definition as loaded.' })
  get(@Param('workflowId') workflowId: string): unknown {
    const workflow = this.catalog.get(workflowId);
    if (!workflow)
      throw new IngestionException(IngestionErrorCode.WorkflowNotFound, `workflow ${workflowId} does not exist`, undefined, 'not_found');
    return { ...summary(workflow), definition: workflow.definition };
  }
}

function summary(w: CompiledWorkflow) {
  return {
    id: w.id,
    version: w.version,
    name: w.name,
    description: w.description ?? null,
    owner: w.owner,
    trigger: { type: w.trigger.type, source: w.trigger.source },
    file: w.source.file,
    startRun: `POST /workflows/${w.id}/runs`,
  };
}
