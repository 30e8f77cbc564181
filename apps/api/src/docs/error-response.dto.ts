import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** What every 4xx/5xx of the api carries (Nest's exception body). */
export class ErrorResponseDto {
  @ApiProperty({ example: 400 })
  statusCode!: number;

  @ApiProperty({ description: 'readable text naming what was wrong', example: 'day must look like 2026-11-21' })
  message!: string;

  @ApiPropertyOptional({ example: 'Bad Request' })
  error?: string;
}
