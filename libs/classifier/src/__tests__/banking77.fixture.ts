import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository root, four levels above this folder (libs/classifier/src/__tests__). */
export const REPO_ROOT = resolve(__dirname, '..', '..', '..', '..');

/**
 * Where Banking77 lives: $BATON_BANKING77_DIR, else `../shared/data/banking77` beside the clone
 * (as in CI). The data is never copied into the repository. A missing folder is a failure, not a
 * skip: the end-to-end figures are the point of these tests.
 */
export function banking77Dir(): string {
  const dir = process.env.BATON_BANKING77_DIR ?? resolve(REPO_ROOT, '../shared/data/banking77');
  for (const file of ['train.csv', 'categories.json']) {
    if (!existsSync(join(dir, file))) {
      throw new Error(
        `Banking77 fixture not found: ${join(dir, file)} does not exist. Put the dataset (train.csv, categories.json) ` +
          `in ${resolve(REPO_ROOT, '../shared/data/banking77')} or point BATON_BANKING77_DIR at it.`,
      );
    }
  }
  return dir;
}
