export * from './redis-version';
export * from './redis-options';
export * from './redis-database';
export * from './redis-follower';
export * from './users/redis-user';
export * from './failover/redis-failover';
export * from './metrics/metrics-options';
