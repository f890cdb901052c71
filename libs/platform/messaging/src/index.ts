export * from './message-bus.port';
export * from './retry-schedule.util';
export * from './failure-routing.util';
export * from './in-memory.bus';
export * from './event-codec.util';
export * from './event-subscriber.util';
export * from './kafka.bus';
export * from './namespaced.bus';
