import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDataSource } from '../data-source.factory';
import { sharedMigrations } from '../index';
import { DATA_DIR_LOCK, DataDirInUseError, lockDataDir } from '../pglite/data-dir-lock';
import { sharedEntities } from '../persistence/shared.entities';

describe('the embedded database folder, one process at a time', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'baton-lock-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is taken with this process’s id and given back', () => {
    const release = lockDataDir(dir);
    expect(readFileSync(join(dir, DATA_DIR_LOCK), 'utf8')).toBe(String(process.pid));
    release();
    expect(existsSync(join(dir, DATA_DIR_LOCK))).toBe(false);
    lockDataDir(dir)();
  });

  it('refuses a second open while it is held, naming the holder', () => {
    const release = lockDataDir(dir);
    try {
      expect(() => lockDataDir(dir)).toThrow(DataDirInUseError);
      expect(() => lockDataDir(dir)).toThrow(`the embedded database in ${dir} is in use by process ${process.pid}`);
    } finally {
      release();
    }
  });

  it('takes over a lock left by a process that was killed', () => {
    const gone = spawnSync(process.execPath, ['-e', '']).pid!;
    writeFileSync(join(dir, DATA_DIR_LOCK), String(gone));
    const release = lockDataDir(dir);
    expect(readFileSync(join(dir, DATA_DIR_LOCK), 'utf8')).toBe(String(process.pid));
    release();
  });

  it('keeps a second data source off a folder an open one uses, and lets it in once that one is closed', async () => {
    const options = { database: { kind: 'pglite' as const, dataDir: dir }, entities: sharedEntities, migrations: sharedMigrations };
    const first = await openDataSource(options);
    await expect(openDataSource(options)).rejects.toThrow(DataDirInUseError);
    expect(Number((await first.query('SELECT 1 AS one'))[0].one)).toBe(1);
    await first.destroy();
    const again = await openDataSource(options);
    await again.destroy();
  });
});
