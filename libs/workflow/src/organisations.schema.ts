import { KEBAB_ID_PATTERN } from './workflow-definition.schema';

/** JSON Schema of the organisation settings file (`organisations: { <id>: { ... } }`). */
export const ORGANISATIONS_FILE_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  additionalProperties: false,
  required: ['organisations'],
  properties: {
    organisations: {
      type: 'object',
      propertyNames: { pattern: KEBAB_ID_PATTERN },
      additionalProperties: {
        type: 'object',
        properties: { name: { type: 'string', minLength: 1 } },
      },
    },
  },
} as const;
