import { mkdirSync } from 'node:fs';
import { DataSource, type MixedList } from 'typeorm';
import { createPgliteDriver, type EmbeddedSession } from './pglite/pglite-serial.driver';
import { PgliteWorkerClient } from './pglite/pglite-worker.client';

export type DatabaseOptions =
  | { kind: 'pglite'; /** Folder for the data; omitted means in memory. */ dataDir?: string }
  | { kind: 'postgres'; url: string; poolSize?: number };

export interface DataSourceSpec {
  database: DatabaseOptions;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function>;
  runMigrations?: boolean;
}

/**
 * Opens the database and brings its schema up to date through migrations (never `synchronize`).
 * PGlite and PostgreSQL run the same migrations; only the driver differs.
 */
export async function openDataSource(spec: DataSourceSpec): Promise<DataSource> {
  const common = {
    type: 'postgres' as const,
    entities: spec.entities,
    migrations: spec.migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each' as const,
    synchronize: false,
    logging: false,
  };
  let dataSource: DataSource;
  if (spec.database.kind === 'pglite') {
    if (spec.database.dataDir) mkdirSync(spec.database.dataDir, { recursive: true });
    // PGlite in a worker thread: the database works on one core while the engine works on the other.
    const db = new PgliteWorkerClient(spec.database.dataDir);
    try {
      await db.ready();
    } catch (error) {
      await db.close();
      throw error;
    }
    const { driver, session } = createPgliteDriver(db);
    dataSource = new DataSource({
      ...common,
      driver,
      installExtensions: false,
    } as never);
    EMBEDDED.set(dataSource, session);
  } else {
    dataSource = new DataSource({
      ...common,
      url: spec.database.url,
      // Every table Baton names is schema-qualified; pinning search_path keeps TypeORM's own
      // `migrations` table in public too. Otherwise a login role named like a schema (`baton`)
      // finds `baton.migrations` first once that schema exists, and a second service re-runs
      // every migration.
      extra: { max: spec.database.poolSize ?? 10, connectionTimeoutMillis: 5000, options: '-c search_path=public' },
    });
  }
  await dataSource.initialize();
  if (spec.runMigrations !== false) await migrate(dataSource, spec.database.kind);
  return dataSource;
}

const EMBEDDED = new WeakMap<DataSource, EmbeddedSession>();

/**
 * Whether the data source is the embedded database (PGlite): one process, one session, so state
 * that replicas would have to share (a rate limit, say) can live in memory instead.
 */
export function isEmbeddedDatabase(dataSource: DataSource): boolean {
  return EMBEDDED.has(dataSource);
}

/**
 * Runs one statement on its own (autocommit) and returns its rows. On the embedded database it is
 * sent without holding the session for the round trip (the database's thread runs it after what
 * was sent before it), so the transactions sent after it are not held up; on PostgreSQL it takes a
 * pooled connection as `dataSource.query` does. An append of rows given column by column may name
 * its `copy` form (see `SqlStatement.copy`), which the embedded database runs instead.
 */
export async function runAutocommit<Row>(dataSource: DataSource, sql: string, params: unknown[], copy?: string): Promise<Row[]> {
  const session = embeddedSessionOf(dataSource);
  if (!session) return (await dataSource.query(sql, params)) as Row[];
  const [result] = await session.send([copy === undefined ? { sql, params } : { sql, params, copy }], { transaction: false });
  return result!.rows as Row[];
}

/** The embedded database's session, to send statements without holding it (see EmbeddedSession); null on PostgreSQL. */
export function embeddedSessionOf(dataSource: DataSource): EmbeddedSession | null {
  return EMBEDDED.get(dataSource) ?? null;
}

/**
 * Runs pending migrations. On PostgreSQL several services start at once against one database:
 * a session advisory lock makes them migrate one after the other, each finding the others'
 * migrations already applied, instead of racing on the same DDL.
 */
async function migrate(dataSource: DataSource, kind: DatabaseOptions['kind']): Promise<void> {
  if (kind !== 'postgres') {
    await dataSource.runMigrations();
    return;
  }
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query(`SELECT pg_advisory_lock(hashtext('baton:migrations'))`);
    await dataSource.runMigrations();
  } finally {
    await runner.query(`SELECT pg_advisory_unlock(hashtext('baton:migrations'))`).catch(() => undefined);
    await runner.release();
  }
}
