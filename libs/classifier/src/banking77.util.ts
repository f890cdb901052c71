import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ClassifierError, ClassifierErrorCode } from './classifier.exception';
import type { LabelledText } from './classifier.types';
import { parseCsv } from './csv.util';

/** Banking77 as read from disk: the labelled queries in file order and the declared intents. */
export interface Banking77Dataset {
  readonly examples: readonly LabelledText[];
  readonly categories: readonly string[];
}

/**
 * Reads the Banking77 layout: `train.csv` (header `text,category`) and `categories.json` (an
 * array of the intent names). Every row's category must be declared, so a truncated or mixed-up
 * file fails here rather than silently training a model with a missing class.
 */
export async function loadBanking77(dir: string): Promise<Banking77Dataset> {
  const csvText = await readDatasetFile(join(dir, 'train.csv'));
  const categoriesText = await readDatasetFile(join(dir, 'categories.json'));
  let categories: unknown;
  try {
    categories = JSON.parse(categoriesText);
  } catch (error) {
    throw new ClassifierError(ClassifierErrorCode.InvalidDataset, `${join(dir, 'categories.json')}: ${(error as Error).message}`);
  }
  if (!Array.isArray(categories) || categories.some((c) => typeof c !== 'string')) {
    throw new ClassifierError(ClassifierErrorCode.InvalidDataset, `${join(dir, 'categories.json')}: expected an array of strings`);
  }
  const declared = new Set(categories as string[]);
  const [header, ...rows] = parseCsv(csvText);
  const textColumn = header?.indexOf('text') ?? -1;
  const labelColumn = header?.indexOf('category') ?? -1;
  if (textColumn < 0 || labelColumn < 0) {
    throw new ClassifierError(
      ClassifierErrorCode.InvalidDataset,
      `${join(dir, 'train.csv')}: header must name the columns text and category`,
    );
  }
  const examples: LabelledText[] = [];
  rows.forEach((row, i) => {
    if (row.length === 1 && row[0] === '') return;
    const text = row[textColumn];
    const label = row[labelColumn];
    // Row numbers count the header as row 1, the way a spreadsheet shows them.
    if (text === undefined || label === undefined || row.length !== header.length) {
      throw new ClassifierError(
        ClassifierErrorCode.InvalidDataset,
        `${join(dir, 'train.csv')} row ${i + 2}: expected ${header.length} fields, got ${row.length}`,
      );
    }
    if (!declared.has(label)) {
      throw new ClassifierError(
        ClassifierErrorCode.InvalidDataset,
        `${join(dir, 'train.csv')} row ${i + 2}: category '${label}' is not in categories.json`,
      );
    }
    examples.push({ text, label });
  });
  return { examples, categories: categories as string[] };
}

async function readDatasetFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new ClassifierError(
      ClassifierErrorCode.InvalidDataset,
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}
