import { definitionData, locateIssues, parseDefinitionYaml, readDefinitionFile } from './definition-file.util';
import { createDefinitionValidator } from './definition-validator.util';
import { deepFreeze } from './deep-freeze.util';
import { ORGANISATIONS_FILE_SCHEMA } from './organisations.schema';
import { WorkflowDefinitionError, WorkflowErrorCode } from './workflow-definition.exception';

const validateOrganisations = createDefinitionValidator(ORGANISATIONS_FILE_SCHEMA);
const CODE = WorkflowErrorCode.InvalidOrganisations;

/** Free-form settings of one organisation, exposed to expressions as `org`. */
export interface OrganisationSettings {
  readonly name?: string;
  readonly [setting: string]: unknown;
}

/**
 * Organisation id -> settings. A Map rather than an object so that looking up an id such as
 * `constructor` can never return an inherited member.
 */
export type Organisations = ReadonlyMap<string, OrganisationSettings>;

/**
 * Parses `organisations: { <kebab-id>: { name: ..., <setting>: ... } }`.
 * @throws WorkflowDefinitionError (code InvalidOrganisations) listing every problem.
 */
export function parseOrganisations(text: string, file: string): Organisations {
  const document = parseDefinitionYaml(text, file, CODE);
  const data = definitionData(document, file, CODE);
  const issues = validateOrganisations(data);
  if (issues.length > 0) throw new WorkflowDefinitionError(locateIssues(document, file, issues), CODE);
  const entries = (data as { organisations: Record<string, OrganisationSettings> }).organisations;
  // Settings are shared by every run of an organisation; none may change them for the others.
  return new Map(Object.entries(entries).map(([id, settings]) => [id, deepFreeze(settings)]));
}

/** @throws WorkflowDefinitionError when the file is unreadable or invalid. */
export function loadOrganisationsFile(path: string): Organisations {
  return parseOrganisations(readDefinitionFile(path), path);
}
