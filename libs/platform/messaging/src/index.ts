export * from './message-bus.port';
export * from './retry-schedule.util';
export * from './failure-routing.util';
export * from './in-memory.bus';
