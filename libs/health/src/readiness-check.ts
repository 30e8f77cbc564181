/** A dependency the process needs before it can do useful work (Redis, the BullMQ worker, ...). */
export interface ReadinessCheck {
  readonly name: string;
  /** Resolves when healthy; rejects with a short, secret-free reason otherwise. */
  check(): Promise<void>;
}

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');
