export * from './email-scrubber';
export * from './logging.module';
export * from './request-id';
