/**
 * The `compensationArgs` of a write whose compensation names, by the same argument, the record
 * the write returned (voidRefund takes the `refundId` issueRefund answered with).
 */
export function compensateById(field: string): (result: unknown) => Record<string, unknown> | undefined {
  return (result) => {
    const id = (result as Record<string, unknown> | null | undefined)?.[field];
    return typeof id === 'string' ? { [field]: id } : undefined;
  };
}

/**
 * The `compensationArgs` of a write that moves a record and answers with the record (under
 * `record`) and the value it had before (under `previous`): the same write, given that value as
 * `arg`, moves it back. assignLead answers `{ lead, previousOwnerTeam }` and is undone by
 * assignLead `{ leadId, ownerTeam: previousOwnerTeam }`.
 */
export function compensateByPrevious(
  record: string,
  idField: string,
  previous: string,
  arg: string,
): (result: unknown) => Record<string, unknown> | undefined {
  return (result) => {
    const answer = (result ?? {}) as Record<string, unknown>;
    const id = (answer[record] as Record<string, unknown> | undefined)?.[idField];
    const value = answer[previous];
    return typeof id === 'string' && typeof value === 'string' ? { [idField]: id, [arg]: value } : undefined;
  };
}
