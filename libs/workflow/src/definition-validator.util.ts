import Ajv2020 from 'ajv/dist/2020';
import { translateSchemaErrors, type SchemaIssue } from './schema-issue.util';

export type DefinitionValidator = (data: unknown) => SchemaIssue[];

/*
 * One ajv instance for the file formats Baton itself defines. allErrors so an author sees every
 * problem in one pass; verbose so "unknown field" can suggest the field that was meant.
 * strictRequired is off because if/then branches require fields the enclosing schema declares;
 * union types are how connector args accept either a CEL string or a literal.
 */
const ajv = new Ajv2020({
  allErrors: true,
  verbose: true,
  strict: true,
  strictRequired: false,
  allowUnionTypes: true,
  logger: false,
});

/** Call at module load: compiling per file would repeat the costly part for nothing. */
export function createDefinitionValidator(schema: object): DefinitionValidator {
  const validate = ajv.compile(schema);
  return (data) => (validate(data) ? [] : translateSchemaErrors(validate.errors, data));
}
