export * from './free-port.js';
export * from './nats-server.js';
export * from './paths.js';
export * from './build-service.js';
export * from './service-process.js';
export * from './stack.js';
export * from './wait.js';
