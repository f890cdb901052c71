import { isoOf } from './timestamp.util';

/** A column's value as a view shows it: an instant (`Date`, or `Date | null`) as its ISO-8601 text, anything else as it is. */
export type ViewedValue<T> = [T] extends [Date] ? string : [T] extends [Date | null] ? (Date extends T ? string | null : T) : T;

/** The view of a row that shows the columns `K`. */
export type RowView<R, K extends keyof R> = { [P in K]: ViewedValue<R[P]> };

/**
 * What a repository hands out of a stored row: the named columns, in the order given, each as it
 * is but for instants, which cross the API as ISO-8601 text (`isoOf`; a null stays null). The
 * columns are named once, so a view cannot show a column by another name or forget to convert one.
 */
export function rowView<R extends object, K extends keyof R>(row: R, columns: readonly K[]): RowView<R, K> {
  const view: Partial<Record<K, unknown>> = {};
  for (const column of columns) {
    const value = row[column];
    view[column] = value instanceof Date ? isoOf(value) : value;
  }
  return view as RowView<R, K>;
}
