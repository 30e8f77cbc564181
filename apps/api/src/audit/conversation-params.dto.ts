import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';

/** `GET /admin/conversations/:threadId` */
export class ConversationParamsDto {
  @ApiProperty({ description: 'HubSpot thread id (decimal digits)', pattern: '^\\d{1,20}$', example: '3624100517' })
  @Matches(/^\d{1,20}$/, { message: 'threadId must be a HubSpot thread id (digits)' })
  threadId!: string;
}
