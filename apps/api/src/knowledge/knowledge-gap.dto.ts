import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { KnowledgeGap } from '@app/audit';

export class KnowledgeGapDto implements KnowledgeGap {
  @ApiProperty({ description: 'id of the group of similar questions', example: '3f9a0c27d1e4b8a2' })
  id!: string;

  @ApiProperty({
    description: 'the first question of the group, e-mails and phone numbers redacted',
    example: 'Do you deliver to Moldova?',
  })
  question!: string;

  @ApiProperty({ description: 'the latest question of the group (redacted too)', example: 'deliver to moldova?' })
  lastQuestion!: string;

  @ApiPropertyOptional({ description: "the thread's language", example: 'en' })
  language?: string;

  @ApiProperty({ description: 'assistant profile', example: 'support' })
  profile!: string;

  @ApiProperty({ description: 'HubSpot thread of the latest occurrence', example: '3624100517' })
  threadId!: string;

  @ApiProperty({ description: 'visitor messages that asked it', example: 3 })
  count!: number;

  @ApiProperty({ format: 'date-time' })
  firstSeen!: string;

  @ApiProperty({ format: 'date-time' })
  lastSeen!: string;
}

/** `GET /admin/knowledge/gaps` */
export class KnowledgeGapsDto {
  @ApiProperty({ description: 'groups recorded (within the retention)', example: 12 })
  total!: number;

  @ApiProperty({ type: [KnowledgeGapDto], description: 'most recently asked first' })
  gaps!: KnowledgeGapDto[];
}
