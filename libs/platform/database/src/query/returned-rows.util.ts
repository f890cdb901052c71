import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

/**
 * Entities from the rows a statement's `RETURNING` gave (an UPDATE or INSERT through a query
 * builder answers raw rows keyed by column name): each column converted as a find would convert
 * it, transformers included. Columns the rows lack are left unset.
 */
export function returnedEntities<T extends ObjectLiteral>(manager: EntityManager, target: EntityTarget<T>, rows: unknown): T[] {
  if (!Array.isArray(rows)) throw new TypeError(`expected the rows of a RETURNING clause, got ${rows === null ? 'null' : typeof rows}`);
  const metadata = manager.connection.getMetadata(target);
  const driver = manager.connection.driver;
  return rows.map((row: Record<string, unknown>) => {
    const entity = metadata.create() as T;
    for (const column of metadata.columns) {
      if (column.databaseName in row) column.setEntityValue(entity, driver.prepareHydratedValue(row[column.databaseName], column));
    }
    return entity;
  });
}
