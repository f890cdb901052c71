import type { DataSource } from 'typeorm';

/**
 * Undoes migrations newest first until the one named (the class name, e.g.
 * `CreateDeadLetters1764316800000`) has been undone too, and returns the names undone. Migrations
 * run in timestamp order across every service and the shared tables, so a service's own is not
 * always the last one applied.
 */
export async function undoMigrationsThrough(dataSource: DataSource, name: string): Promise<string[]> {
  const undone: string[] = [];
  for (;;) {
    const [last]: Array<{ name: string }> = await dataSource.query(`SELECT name FROM migrations ORDER BY timestamp DESC, id DESC LIMIT 1`);
    if (!last) throw new Error(`migration ${name} is not applied`);
    await dataSource.undoLastMigration();
    undone.push(last.name);
    if (last.name === name) return undone;
  }
}
