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
        properties: {
          name: { type: 'string', minLength: 1 },
          /** ISO 4217 code the money limits are in. */
          currency: { type: 'string', pattern: '^[A-Z]{3}$' },
          /**
           * Most a run decided without a person may move through one action, per money-moving
           * operation (`<connector>.<operation>`): one amount whatever the currency, or one per
           * currency (`{ EUR: 500, USD: 550 }`, any other currency held back).
           */
          moneyLimits: {
            type: 'object',
            propertyNames: { pattern: '^[a-z0-9][a-z0-9_-]*\\.[A-Za-z][A-Za-z0-9_]*$' },
            additionalProperties: {
              oneOf: [
                { type: 'number', minimum: 0 },
                {
                  type: 'object',
                  minProperties: 1,
                  propertyNames: { pattern: '^[A-Z]{3}$' },
                  additionalProperties: { type: 'number', minimum: 0 },
                },
              ],
            },
          },
        },
      },
    },
  },
} as const;
