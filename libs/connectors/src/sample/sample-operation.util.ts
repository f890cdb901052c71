import type { ArgPresence, OperationSpec } from '../port/connector.types';
import type { SampleOperation } from './sample-system.base';

/** A read operation of a sample system: its name, what it answers, its arguments and its code. */
export function readOperation(
  name: string,
  description: string,
  args: Readonly<Record<string, ArgPresence>>,
  run: SampleOperation['run'],
): SampleOperation {
  return { spec: { name, kind: 'read', description, args }, run };
}

/** A write operation of a sample system: everything its spec says but the kind, and its code. */
export function writeOperation(spec: Omit<OperationSpec, 'kind'>, run: SampleOperation['run']): SampleOperation {
  const { name, ...rest } = spec;
  // Name and kind lead, as in every other spec the connectors list.
  return { spec: { name, kind: 'write', ...rest }, run };
}
