import { statSync } from 'node:fs';
import { definitionData, parseDefinitionYaml, readDefinitionFile } from './definition-file.util';
import { parseOrganisations } from './organisations-loader.util';
import { WorkflowDefinitionError, WorkflowErrorCode, formatWorkflowIssue } from './workflow-definition.exception';
import { isOrganisationsDocument, listYamlFiles, parseWorkflow } from './workflow-loader.util';
import type { SourcePosition } from './yaml-document.util';

export const VALIDATE_USAGE = [
  'usage: baton validate <file-or-dir>...',
  '  Checks workflow definitions (and organisations.yaml) exactly as the engine loads them:',
  '  prints `ok <file> (<id> v<version>)` for each valid file and `file:line:column path: reason`',
  '  for each problem. Exit code 0 when everything is valid, 1 when anything is not, 2 on a usage error.',
].join('\n');
const HELP = new Set(['--help', '-h', 'help']);

/** Exit codes of `baton validate`. */
export enum ValidateExitCode {
  AllValid = 0,
  SomeInvalid = 1,
  Usage = 2,
}

/**
 * `baton validate <file-or-dir>...`: checks workflow (and organisation) files and prints
 * `ok <file> (<id> v<version>)` for each valid one and `file:line:column path: reason` for each
 * problem. Directories are scanned like loadWorkflowDirectory, so duplicate ids are reported too.
 * @param argv the arguments after the program name, e.g. `['validate', 'workflows']`.
 * @param out receives one line at a time, without a newline.
 * @returns 0 when everything is valid, 1 when anything is invalid, 2 on a usage error.
 */
export function runValidateCli(argv: readonly string[], out: (line: string) => void): number {
  const [command, ...targets] = argv;
  const usage = () => VALIDATE_USAGE.split('\n').forEach((line) => out(line));
  if (command !== undefined && HELP.has(command)) {
    usage();
    return ValidateExitCode.AllValid;
  }
  if (command !== 'validate') {
    out(command === undefined ? 'missing command' : `unknown command '${command}'`);
    usage();
    return ValidateExitCode.Usage;
  }
  // `baton validate --help`: never a file name (a file named so is `./--help`).
  if (targets.some((target) => target === '--help' || target === '-h')) {
    usage();
    return ValidateExitCode.AllValid;
  }
  const option = targets.find((target) => target.startsWith('-'));
  if (option !== undefined) {
    out(`unknown option '${option}' (a file whose name starts with - is ./${option})`);
    usage();
    return ValidateExitCode.Usage;
  }
  if (targets.length === 0) {
    out('validate needs at least one file or directory');
    usage();
    return ValidateExitCode.Usage;
  }

  const files: string[] = [];
  for (const target of targets) {
    let isDirectory: boolean;
    try {
      isDirectory = statSync(target).isDirectory();
    } catch {
      out(`no such file or directory: ${target}`);
      usage();
      return ValidateExitCode.Usage;
    }
    files.push(...(isDirectory ? listYamlFiles(target) : [target]));
  }

  let invalid = 0;
  const workflowFilesById = new Map<string, string[]>();
  const results = [...new Set(files)].map((file) => {
    const result = validateFile(file);
    if (result.workflowId) workflowFilesById.set(result.workflowId, [...(workflowFilesById.get(result.workflowId) ?? []), file]);
    return { file, ...result };
  });
  for (const result of results) {
    const sameId = result.workflowId ? (workflowFilesById.get(result.workflowId) ?? []) : [];
    if (sameId.length > 1) {
      invalid++;
      const others = sameId.filter((file) => file !== result.file).join(', ');
      out(
        formatWorkflowIssue({
          file: result.file,
          path: 'id',
          ...result.idPosition,
          message: `duplicate workflow id '${result.workflowId}': also defined in ${others}`,
        }),
      );
      continue;
    }
    if (result.lines.some((line) => !line.startsWith('ok '))) invalid++;
    result.lines.forEach((line) => out(line));
  }
  return invalid > 0 ? ValidateExitCode.SomeInvalid : ValidateExitCode.AllValid;
}

function validateFile(file: string): { lines: string[]; workflowId?: string; idPosition?: SourcePosition } {
  try {
    const text = readDefinitionFile(file);
    const document = parseDefinitionYaml(text, file, WorkflowErrorCode.InvalidDefinition);
    if (isOrganisationsDocument(definitionData(document, file, WorkflowErrorCode.InvalidDefinition))) {
      const organisations = parseOrganisations(text, file);
      return { lines: [`ok ${file} (organisations: ${[...organisations.keys()].join(', ')})`] };
    }
    const workflow = parseWorkflow(text, file);
    return { lines: [`ok ${file} (${workflow.id} v${workflow.version})`], workflowId: workflow.id, idPosition: document.locate(['id']) };
  } catch (error) {
    if (!(error instanceof WorkflowDefinitionError)) throw error;
    return { lines: error.issues.map(formatWorkflowIssue) };
  }
}
