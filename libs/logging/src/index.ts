export * from './personal-data';
export * from './logging.module';
export * from './request-id';
