import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { AdminApi } from '../docs/admin-api.decorator';
import { ErrorResponseDto } from '../docs/error-response.dto';
import { KnowledgeGapsDto } from './knowledge-gap.dto';
import { KnowledgeGapsQueryDto } from './knowledge-gaps-query.dto';
import { KnowledgeGapsReader } from './knowledge-gaps.reader';

/** Questions the assistant could not answer from the company's documents: what to write next. */
@AdminApi()
@Controller('admin/knowledge')
export class KnowledgeGapsController {
  constructor(private readonly gaps: KnowledgeGapsReader) {}

  @Get('gaps')
  @ApiOperation({
    summary: 'Knowledge gaps: visitor questions the documents had nothing for',
    description:
      'Grouped by their words (similar questions share a record and a count), most recently asked first; ' +
      'e-mails and phone numbers redacted.',
  })
  @ApiOkResponse({ type: KnowledgeGapsDto })
  @ApiBadRequestResponse({ description: 'limit out of range, or an unknown query parameter', type: ErrorResponseDto })
  async list(@Query() { limit }: KnowledgeGapsQueryDto): Promise<KnowledgeGapsDto> {
    return this.gaps.latest(limit ?? 100);
  }
}
