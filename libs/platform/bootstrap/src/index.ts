export * from './service-env.types';
export * from './bus.factory';
export * from './service-runtime.util';
export * from './service.bootstrap';
export * from './console-assets.util';
export * from './console-routes.util';
export * from './console-proxy.util';
