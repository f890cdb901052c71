/** Where a stored webhook stands: waiting for dispatch, turned into its runs, or given up on. */
export type InboxStatus = 'pending' | 'processed' | 'failed';
