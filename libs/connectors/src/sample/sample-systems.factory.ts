import { ConnectorRegistry } from '../port/connector.registry';
import type { BillingData } from './billing.types';
import { BillingSampleSystem } from './billing.sample-system';
import type { CrmData } from './crm.types';
import { CrmSampleSystem } from './crm.sample-system';
import type { NotificationsData } from './notifications.types';
import { NotificationsSampleSystem } from './notifications.sample-system';
import type { SampleJournal, SampleJournalEntry } from './sample-system.base';
import type { ChangeListener, SampleSystemOptions, SampleSystemSnapshot } from './sample-system.types';
import type { TicketsData } from './tickets.types';
import { TicketsSampleSystem } from './tickets.sample-system';

export interface SampleSystemsSnapshot {
  readonly crm: SampleSystemSnapshot<CrmData>;
  readonly billing: SampleSystemSnapshot<BillingData>;
  readonly notifications: SampleSystemSnapshot<NotificationsData>;
  readonly tickets: SampleSystemSnapshot<TicketsData>;
}

/** The four sample systems of record sharing one clock, registered under their names. */
export interface SampleSystems {
  readonly crm: CrmSampleSystem;
  readonly billing: BillingSampleSystem;
  readonly notifications: NotificationsSampleSystem;
  readonly tickets: TicketsSampleSystem;
  /** Holds crm, billing, notifications and tickets. */
  readonly registry: ConnectorRegistry;
  /** Every system back to its seed, effects zeroed and faults cleared. */
  reset(): void;
  snapshot(): SampleSystemsSnapshot;
  restore(snapshot: SampleSystemsSnapshot): void;
  /** Subscribes to the writes of all four systems; returns the unsubscribe function. */
  onChange(listener: ChangeListener): () => void;
  /** Redoes the journaled writes of all four systems and journals their writes from now on. */
  attachJournal(journal: SampleJournal, entries: readonly SampleJournalEntry[]): void;
}

export function createSampleSystems(options: SampleSystemOptions = {}): SampleSystems {
  const crm = new CrmSampleSystem(options);
  const billing = new BillingSampleSystem(options);
  const notifications = new NotificationsSampleSystem(options);
  const tickets = new TicketsSampleSystem(options);
  const all = [crm, billing, notifications, tickets] as const;
  const registry = new ConnectorRegistry();
  for (const system of all) registry.register(system);

  return {
    crm,
    billing,
    notifications,
    tickets,
    registry,
    reset: () => all.forEach((system) => system.reset()),
    snapshot: () => ({
      crm: crm.snapshot(),
      billing: billing.snapshot(),
      notifications: notifications.snapshot(),
      tickets: tickets.snapshot(),
    }),
    restore: (snapshot) => {
      crm.restore(snapshot.crm);
      billing.restore(snapshot.billing);
      notifications.restore(snapshot.notifications);
      tickets.restore(snapshot.tickets);
    },
    attachJournal: (journal, entries) => all.forEach((system) => system.attachJournal(journal, entries)),
    onChange: (listener) => {
      const unsubscribes = all.map((system) => system.onChange(listener));
      return () => unsubscribes.forEach((unsubscribe) => unsubscribe());
    },
  };
}
