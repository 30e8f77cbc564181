import { Controller, Get, Query, UsePipes } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBasicAuth,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { adminValidationPipe } from '../audit/admin-validation.pipe';
import { ADMIN_AUTH_SCHEME } from '../docs/api-docs.constants';
import { ErrorResponseDto } from '../docs/error-response.dto';
import { KnowledgeGapsDto } from './knowledge-gap.dto';
import { KnowledgeGapsQueryDto } from './knowledge-gaps-query.dto';
import { KnowledgeGapsReader } from './knowledge-gaps.reader';

/** Questions the assistant could not answer from the company's documents: what to write next. */
@ApiTags('admin')
@ApiBasicAuth(ADMIN_AUTH_SCHEME)
@ApiUnauthorizedResponse({ description: 'no or wrong admin credentials (429 after too many)', type: ErrorResponseDto })
@Controller('admin/knowledge')
@UsePipes(adminValidationPipe)
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
