import type { Mismatch } from '@baton/workflow';

export const MISMATCH_STATUSES = ['open', 'resolved', 'cleared'] as const;
export type MismatchStatus = (typeof MISMATCH_STATUSES)[number];

/** A mismatch as stored: what disagrees, since when, and how it ended. */
export interface StoredMismatch extends Mismatch {
  id: string;
  status: MismatchStatus;
  detectedAt: string;
  lastSeenAt: string;
  resolvedAt: string | null;
  /** `person:<id>` for an operator's resolution, `system:reconciliation` for a sweep that found agreement. */
  resolvedBy: string | null;
  resolution: Record<string, unknown> | null;
}
