export * from './redis-version';
export * from './redis-options';
export * from './redis-database';
export * from './redis-follower';
export * from './users/redis-user';
export * from './backup/backup-options';
export * from './backup/backup-file';
