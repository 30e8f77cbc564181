import { ApiProperty } from '@nestjs/swagger';
import type { CostTotals } from './audit-reader.service';
import { TurnAuditRecordDto } from './turn-audit-record.dto';

export class CostTotalsDto implements CostTotals {
  @ApiProperty({ description: 'tokens in + out', example: 4500 })
  tokens!: number;

  @ApiProperty({ description: 'ListaFirme credits', example: 3 })
  credits!: number;

  @ApiProperty({ description: 'turns (visitor messages) audited', example: 7 })
  turns!: number;
}

/** `GET /admin/costs`: one UTC day's totals. */
export class DayCostsDto extends CostTotalsDto {
  @ApiProperty({ example: '2026-11-21' })
  day!: string;
}

/** `GET /admin/conversations/:threadId`: one thread's totals and its turns, oldest first. */
export class ConversationViewDto {
  @ApiProperty({ example: '3624100517' })
  threadId!: string;

  @ApiProperty({ type: CostTotalsDto })
  totals!: CostTotalsDto;

  @ApiProperty({ type: [TurnAuditRecordDto], description: 'oldest first, those still within the retention' })
  turns!: TurnAuditRecordDto[];
}
