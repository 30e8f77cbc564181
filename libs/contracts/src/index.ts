export * from './queues';
export * from './jobs';
export * from './job-ids';
export * from './job-schemas';
