import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CompiledWorkflow } from './compiled-workflow.util';
import { definitionData, locateIssues, parseDefinitionYaml, readDefinitionFile } from './definition-file.util';
import { createDefinitionValidator } from './definition-validator.util';
import { compileWorkflowDefinition } from './workflow-compiler.util';
import { WorkflowDefinitionError, WorkflowErrorCode } from './workflow-definition.exception';
import { WORKFLOW_DEFINITION_SCHEMA, type WorkflowDefinition } from './workflow-definition.schema';
import type { YamlDocument } from './yaml-document.util';

const validateDefinition = createDefinitionValidator(WORKFLOW_DEFINITION_SCHEMA);

const YAML_FILE = /\.ya?ml$/i;
const CODE = WorkflowErrorCode.InvalidDefinition;

export interface WorkflowDirectory {
  /** Valid workflows, in file-name order. */
  readonly workflows: CompiledWorkflow[];
  /** One error per file that could not be used. */
  readonly errors: WorkflowDefinitionError[];
}

/**
 * Parses, validates and compiles one workflow definition.
 * @param file named in every issue; not read.
 * @throws WorkflowDefinitionError listing every problem found.
 */
export function parseWorkflow(text: string, file: string): CompiledWorkflow {
  const document = parseDefinitionYaml(text, file, CODE);
  return compileDocument(document, definitionData(document, file, CODE), file);
}

/** @throws WorkflowDefinitionError when the file is unreadable or invalid. */
export function loadWorkflowFile(path: string): CompiledWorkflow {
  return parseWorkflow(readDefinitionFile(path), path);
}

/**
 * Loads every `*.yaml` / `*.yml` file directly in `dir` (not subdirectories). A bad file never
 * stops the others from loading. Organisation settings files (see isOrganisationsDocument) are
 * skipped so they can live beside the workflows. Workflows sharing an id are all rejected: which
 * one was meant cannot be known.
 * @throws WorkflowDefinitionError only when `dir` itself cannot be read.
 */
export function loadWorkflowDirectory(dir: string): WorkflowDirectory {
  const loaded: Array<{ workflow: CompiledWorkflow; document: YamlDocument }> = [];
  const errors: WorkflowDefinitionError[] = [];
  for (const file of listYamlFiles(dir)) {
    try {
      const document = parseDefinitionYaml(readDefinitionFile(file), file, CODE);
      const data = definitionData(document, file, CODE);
      if (isOrganisationsDocument(data)) continue;
      loaded.push({ workflow: compileDocument(document, data, file), document });
    } catch (error) {
      if (!(error instanceof WorkflowDefinitionError)) throw error;
      errors.push(error);
    }
  }

  const filesById = new Map<string, string[]>();
  for (const { workflow } of loaded) filesById.set(workflow.id, [...(filesById.get(workflow.id) ?? []), workflow.source.file]);
  const workflows: CompiledWorkflow[] = [];
  for (const { workflow, document } of loaded) {
    const files = filesById.get(workflow.id) ?? [];
    if (files.length === 1) {
      workflows.push(workflow);
      continue;
    }
    const others = files.filter((file) => file !== workflow.source.file).join(', ');
    errors.push(
      new WorkflowDefinitionError(
        [
          {
            file: workflow.source.file,
            path: 'id',
            ...document.locate(['id']),
            message: `duplicate workflow id '${workflow.id}': also defined in ${others}`,
          },
        ],
        WorkflowErrorCode.DuplicateWorkflowId,
      ),
    );
  }
  return { workflows, errors };
}

/**
 * True for the organisation settings format (a top-level `organisations` map and no `kind`),
 * which may share a directory with workflows.
 */
export function isOrganisationsDocument(data: unknown): boolean {
  return (
    typeof data === 'object' &&
    data !== null &&
    !Array.isArray(data) &&
    Object.hasOwn(data, 'organisations') &&
    !Object.hasOwn(data, 'kind')
  );
}

/** The YAML files directly in `dir`, sorted, joined onto `dir`. */
export function listYamlFiles(dir: string): string[] {
  try {
    // A Kubernetes ConfigMap volume holds each file as a symbolic link (into its `..data`
    // folder): a link to a file counts as the file.
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => YAML_FILE.test(entry.name) && (entry.isFile() || (entry.isSymbolicLink() && isFile(join(dir, entry.name)))))
      .map((entry) => join(dir, entry.name))
      .sort();
  } catch (error) {
    throw new WorkflowDefinitionError(
      [{ file: dir, path: '', message: `cannot read directory: ${(error as Error).message}` }],
      WorkflowErrorCode.UnreadableFile,
    );
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function compileDocument(document: YamlDocument, data: unknown, file: string): CompiledWorkflow {
  const schemaIssues = validateDefinition(data);
  if (schemaIssues.length > 0) throw new WorkflowDefinitionError(locateIssues(document, file, schemaIssues), CODE);
  const compiled = compileWorkflowDefinition(data as WorkflowDefinition, file);
  if (!compiled.ok) throw new WorkflowDefinitionError(locateIssues(document, file, compiled.issues), CODE);
  return compiled.workflow;
}
