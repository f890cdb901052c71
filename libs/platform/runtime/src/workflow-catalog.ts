import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  loadOrganisationsFile,
  loadWorkflowDirectory,
  type CompiledWorkflow,
  type OrganisationSettings,
  type Organisations,
  type WorkflowDefinitionError,
} from '@baton/workflow';
import { Logger } from '@nestjs/common';

/**
 * The workflows and organisation settings this process serves, loaded once at start from the
 * workflows folder. A bad file is reported (file, line, path, reason) and left out; it never
 * stops the engine or the good workflows.
 */
export class WorkflowCatalog {
  private readonly logger = new Logger(WorkflowCatalog.name);
  private readonly byId = new Map<string, CompiledWorkflow>();
  readonly errors: WorkflowDefinitionError[] = [];
  private organisations: Organisations = new Map();

  constructor(readonly dir?: string) {
    if (dir === undefined) return;
    if (!existsSync(dir)) {
      this.logger.warn(`workflows folder ${dir} does not exist; no workflows loaded`);
      return;
    }
    const loaded = loadWorkflowDirectory(dir);
    for (const workflow of loaded.workflows) this.byId.set(workflow.id, workflow);
    for (const error of loaded.errors) {
      this.errors.push(error);
      this.logger.error(`workflow file rejected: ${error.message}`);
    }
    const orgFile = ['organisations.yaml', 'organisations.yml'].map((f) => join(dir, f)).find((f) => existsSync(f));
    if (orgFile) {
      try {
        this.organisations = loadOrganisationsFile(orgFile);
      } catch (error) {
        this.errors.push(error as WorkflowDefinitionError);
        this.logger.error(`organisations file rejected: ${(error as Error).message}`);
      }
    }
  }

  /** Builds a catalog from already compiled workflows (tests, embedding). */
  static of(workflows: CompiledWorkflow[], organisations: Organisations = new Map()): WorkflowCatalog {
    const catalog = new WorkflowCatalog();
    for (const workflow of workflows) catalog.byId.set(workflow.id, workflow);
    catalog.organisations = organisations;
    return catalog;
  }

  get(id: string): CompiledWorkflow | undefined {
    return this.byId.get(id);
  }

  list(): CompiledWorkflow[] {
    return [...this.byId.values()];
  }

  organisation(orgId: string): OrganisationSettings | undefined {
    return this.organisations.get(orgId);
  }

  organisationIds(): string[] {
    return [...this.organisations.keys()];
  }
}
