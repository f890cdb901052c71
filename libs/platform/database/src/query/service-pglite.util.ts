import type { DataSource } from 'typeorm';
import { openDataSource, type DatabaseOptions, type DataSourceSpec } from '../data-source.factory';
import { sharedEntities } from '../persistence/shared.entities';
import { sharedMigrations } from '../persistence/shared.migrations';
import { entitySchemaDrift } from './entity-schema-drift.util';

type EntityList = Extract<DataSourceSpec['entities'], readonly unknown[]>;
type MigrationList = Extract<DataSourceSpec['migrations'], readonly unknown[]>;

/**
 * Opens `database` with the shared entities and one service's; with `runMigrations` (the default)
 * it brings the shared tables and the service's up to date first, as a deployment does.
 */
export function openServiceDatabase(
  database: DatabaseOptions,
  entities: EntityList,
  migrations: MigrationList,
  runMigrations = true,
): Promise<DataSource> {
  return openDataSource({
    database,
    entities: [...sharedEntities, ...entities],
    migrations: runMigrations ? [...sharedMigrations, ...migrations] : [],
    runMigrations,
  });
}

/**
 * A fresh in-memory PGlite holding the shared tables and one service's, migrated as a deployment
 * migrates them: what a test of that service's repositories or entities opens. The caller destroys it.
 */
export function openServicePglite(entities: EntityList, migrations: MigrationList): Promise<DataSource> {
  return openServiceDatabase({ kind: 'pglite' }, entities, migrations);
}

/**
 * {@link entitySchemaDrift} of one service's entities against the tables of `schema` its
 * migrations leave, in a fresh PGlite closed again before it answers; empty when they agree.
 */
export async function serviceSchemaDrift(entities: EntityList, migrations: MigrationList, schema: string): Promise<string[]> {
  const dataSource = await openServicePglite(entities, migrations);
  try {
    return await entitySchemaDrift(dataSource, [schema]);
  } finally {
    await dataSource.destroy();
  }
}
