import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';

/** `GET /admin/costs?day=` */
export class CostsQueryDto {
  @ApiPropertyOptional({
    description: 'UTC day, YYYY-MM-DD (default: today, UTC)',
    pattern: '^\\d{4}-\\d{2}-\\d{2}$',
    example: '2026-11-21',
  })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'day must look like 2026-11-21' })
  day?: string;
}
