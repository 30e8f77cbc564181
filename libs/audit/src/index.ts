export * from './audit-keys';
export * from './turn-audit.types';
