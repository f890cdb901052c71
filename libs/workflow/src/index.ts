export * from './workflow-definition.schema';
export * from './organisations.schema';
export * from './workflow-definition.exception';
export * from './expression.exception';
export { Expression, evaluateArgs } from './expression.util';
export type {
  CompiledArg,
  CompiledArgs,
  ExpressionOptions,
  ExpressionReference,
  ExpressionResultKind,
  ExpressionVariables,
} from './expression.util';
export { EXPRESSION_VARIABLES, SCOPE_VARIABLES } from './cel-environment.util';
export type { ExpressionScope, ExpressionVariableName } from './cel-environment.util';
export * from './compiled-workflow.types';
export { CompiledWorkflow } from './compiled-workflow.util';
export { DEFAULT_THRESHOLDS } from './workflow-compiler.util';
export type { TriggerPayloadContext, TriggerPayloadIssue } from './trigger-payload.util';
export { parseDuration } from './duration.util';
export {
  RECONCILE_STEP_CONNECTOR,
  RECONCILED_FIELDS,
  checkField,
  reconciledField,
  recordOf,
  sameValue,
  sourceLabel,
  valuesOf,
  writeArgs,
} from './reconciled-field.util';
export type { FieldSource, Mismatch, ReconciledField, ReconciliationCheck, SourceValue } from './reconciled-field.util';
export { parseWorkflow, loadWorkflowFile, loadWorkflowDirectory, isOrganisationsDocument } from './workflow-loader.util';
export type { WorkflowDirectory } from './workflow-loader.util';
export { parseOrganisations, loadOrganisationsFile } from './organisations-loader.util';
export type { OrganisationSettings, Organisations } from './organisations-loader.util';
export { runValidateCli, ValidateExitCode, VALIDATE_USAGE } from './validate-cli.util';
