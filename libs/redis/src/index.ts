export * from './redis.constants';
export * from './redis-connection.factory';
export * from './redis.module';
export * from './redis-health.indicator';
export * from './lua-script';
