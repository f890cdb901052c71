import { readFileSync } from 'node:fs';
import type { SchemaIssue } from './schema-issue.util';
import { WorkflowDefinitionError, WorkflowErrorCode, type WorkflowDefinitionIssue } from './workflow-definition.exception';
import { formatDocumentPath, YamlDocument } from './yaml-document.util';

/*
 * The steps every Baton definition file (workflows, organisations) goes through, each turning
 * its failures into located WorkflowDefinitionError issues.
 */

export function readDefinitionFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new WorkflowDefinitionError(
      [{ file: path, path: '', message: `cannot read file: ${(error as Error).message}` }],
      WorkflowErrorCode.UnreadableFile,
    );
  }
}

export function parseDefinitionYaml(text: string, file: string, code: WorkflowErrorCode): YamlDocument {
  const document = YamlDocument.parse(text);
  const problems = document.syntaxProblems;
  if (problems.length > 0) {
    throw new WorkflowDefinitionError(
      problems.map((problem) => ({
        file,
        path: '',
        line: problem.line,
        column: problem.column,
        message: `YAML syntax error: ${problem.message}`,
      })),
      code,
    );
  }
  return document;
}

export function definitionData(document: YamlDocument, file: string, code: WorkflowErrorCode): unknown {
  try {
    return document.toJS();
  } catch (error) {
    // yaml refuses documents whose aliases expand past the cap ("billion laughs").
    throw new WorkflowDefinitionError([{ file, path: '', line: 1, column: 1, message: `YAML error: ${(error as Error).message}` }], code);
  }
}

/** Attaches line and column to each issue and orders them as they appear in the file. */
export function locateIssues(document: YamlDocument, file: string, issues: readonly SchemaIssue[]): WorkflowDefinitionIssue[] {
  return issues
    .map((issue) => ({
      file,
      path: formatDocumentPath(issue.path),
      ...document.locate(issue.path, { key: issue.atKey }),
      message: issue.message,
    }))
    .sort((a, b) => a.line - b.line || a.column - b.column);
}
