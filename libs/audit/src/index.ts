export * from './turn-audit.types';
