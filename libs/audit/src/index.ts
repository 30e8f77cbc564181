export * from './audit-keys';
export * from './turn-audit.types';
export * from './knowledge-gap.types';
export * from './conversation-outcome.types';
export * from './outcome-aggregates';
export * from './outcome-reader';
