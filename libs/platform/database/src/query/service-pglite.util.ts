import type { DataSource } from 'typeorm';
import { openDataSource, type DataSourceSpec } from '../data-source.factory';
import { sharedEntities } from '../persistence/shared.entities';
import { sharedMigrations } from '../persistence/shared.migrations';
import { entitySchemaDrift } from './entity-schema-drift.util';

/** One service's part of the database: the entities it maps and the migrations that make its tables. */
export interface ServiceTables {
  entities: Extract<DataSourceSpec['entities'], readonly unknown[]>;
  migrations: Extract<DataSourceSpec['migrations'], readonly unknown[]>;
}

/**
 * A fresh in-memory PGlite holding the shared tables and one service's, migrated as a deployment
 * migrates them: what a test of that service's repositories or entities opens. The caller destroys it.
 */
export function openServicePglite(tables: ServiceTables): Promise<DataSource> {
  return openDataSource({
    database: { kind: 'pglite' },
    entities: [...sharedEntities, ...tables.entities],
    migrations: [...sharedMigrations, ...tables.migrations],
  });
}

/**
 * {@link entitySchemaDrift} of one service's entities against the tables of `schema` its
 * migrations leave, in a fresh PGlite closed again before it answers; empty when they agree.
 */
export async function serviceSchemaDrift(tables: ServiceTables, schema: string): Promise<string[]> {
  const dataSource = await openServicePglite(tables);
  try {
    return await entitySchemaDrift(dataSource, [schema]);
  } finally {
    await dataSource.destroy();
  }
}
