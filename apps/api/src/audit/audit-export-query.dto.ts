import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { isISO8601, IsOptional, ValidateBy, type ValidationOptions } from 'class-validator';

const DAY_MS = 86_400_000;

/** An ISO 8601 date or date-time (a real calendar day) that Date.parse understands, as ms since the epoch; NaN otherwise. */
export function timeOf(value: unknown): number {
  return typeof value === 'string' && isISO8601(value, { strict: true }) ? Date.parse(value) : Number.NaN;
}

export function IsTime(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    { name: 'isTime', validator: { validate: (value) => !Number.isNaN(timeOf(value)) } },
    { message: ({ property }) => `${property} must be an ISO date or time`, ...options },
  );
}

/** `from` ≤ `to` (or now, without `to`); left to IsTime when either is not a time. */
export function NotAfterTo(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'notAfterTo',
      validator: {
        validate: (value, args) => {
          const { to } = args?.object as { to?: string };
          const fromMs = timeOf(value);
          const toMs = to === undefined ? Date.now() : timeOf(to);
          return Number.isNaN(fromMs) || Number.isNaN(toMs) || fromMs <= toMs;
        },
      },
    },
    { message: 'from must not be after to', ...options },
  );
}

// `?from=` (empty) has always meant "the default", like leaving it out.
export const emptyIsUnset = Transform(({ value }: { value: unknown }) => (value === '' ? undefined : value));

/** `GET /admin/audit/export?from=&to=` */
export class AuditExportQueryDto {
  @ApiPropertyOptional({
    description: 'start of the range, ISO 8601 date or date-time (default: 24 h before `to`)',
    example: '2026-11-20',
  })
  @emptyIsUnset
  @IsOptional()
  @IsTime()
  @NotAfterTo()
  from?: string;

  @ApiPropertyOptional({
    description: 'end of the range, ISO 8601 date or date-time (default: now)',
    example: '2026-11-21',
  })
  @emptyIsUnset
  @IsOptional()
  @IsTime()
  to?: string;

  /** The range in ms since the epoch, defaults applied (call after validation). */
  range(now = Date.now()): { fromMs: number; toMs: number } {
    const toMs = this.to === undefined ? now : timeOf(this.to);
    const fromMs = this.from === undefined ? toMs - DAY_MS : timeOf(this.from);
    return { fromMs, toMs };
  }
}
