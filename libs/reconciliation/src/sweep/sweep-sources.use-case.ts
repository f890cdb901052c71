import { ConnectorRegistry } from '@baton/connectors';
import { Injectable } from '@nestjs/common';
import { DEFAULT_RECONCILED_FIELDS, type FieldSource, type Mismatch, type ReconciledField } from './reconciliation-field.types';

/**
 * Compares every reconciled field's copies with its source of truth and reports each entity
 * whose copies disagree, with every value attached so a person can see both sides.
 */
@Injectable()
export class SweepSourcesUseCase {
  private readonly fields: ReconciledField[] = DEFAULT_RECONCILED_FIELDS;

  constructor(private readonly connectors: ConnectorRegistry) {}

  async execute(): Promise<{ checked: number; mismatches: Mismatch[] }> {
    const mismatches: Mismatch[] = [];
    let checked = 0;
    for (const field of this.fields) {
      const truth = await this.read(field.truth);
      const copies = await Promise.all(field.copies.map(async (source) => ({ source, values: await this.read(source) })));
      for (const [entityId, value] of truth) {
        checked++;
        const differing = copies
          .filter((c) => c.values.has(entityId) && c.values.get(entityId) !== value)
          .map((c) => ({ source: `${c.source.connector}.${c.source.field}`, value: c.values.get(entityId) }));
        if (differing.length) {
          mismatches.push({ field: field.name, entityId, truth: { source: `${field.truth.connector}.${field.truth.field}`, value }, copies: differing });
        }
      }
    }
    return { checked, mismatches };
  }

  private async read(source: FieldSource): Promise<Map<string, unknown>> {
    const records = (await this.connectors.get(source.connector).call(source.list, {})) as Array<Record<string, unknown>>;
    return new Map(records.map((r) => [String(r[source.key]), r[source.field]]));
  }
}
