/** E2E test harness: real daemons on 127.0.0.1, started and stopped by the tests. */
export * from './common';
export * from './postgres';
export * from './redis';
export * from './exporters';
export * from './prometheus';
export * from './alertmanager';
export * from './webhook';
export * from './api-standin';
