import { Readable } from 'node:stream';
import { Controller, Get, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { utcDay } from '@app/audit';
import { AdminApi } from '../docs/admin-api.decorator';
import { ErrorResponseDto } from '../docs/error-response.dto';
import { AuditExportQueryDto } from './audit-export-query.dto';
import { AuditReader } from './audit-reader.service';
import { DayCostsDto } from './cost-totals.dto';
import { CostsQueryDto } from './costs-query.dto';
import { TurnAuditRecordDto } from './turn-audit-record.dto';

/** JSON-lines export of the audit trail and the day's cost totals, behind the admin auth. */
@AdminApi()
@ApiExtraModels(TurnAuditRecordDto)
@Controller('admin')
export class AuditExportController {
  constructor(private readonly audit: AuditReader) {}

  /** `?from=` / `?to=`: ISO dates or times (default: the last 24 h). One record per line. */
  @Get('audit/export')
  @ApiOperation({ summary: 'Every audit record in a time range, as JSON lines (default: the last 24 h)' })
  @ApiProduces('application/x-ndjson')
  @ApiOkResponse({
    description: `one TurnAuditRecord (${getSchemaPath(TurnAuditRecordDto)}) per line, oldest first; a download`,
    content: {
      'application/x-ndjson': {
        schema: { type: 'string', description: 'newline-delimited JSON: one TurnAuditRecord per line' },
      },
    },
  })
  @ApiBadRequestResponse({
    description: 'from/to not an ISO date or time, from after to, or an unknown query parameter',
    type: ErrorResponseDto,
  })
  export(@Query() query: AuditExportQueryDto, @Res() reply: FastifyReply) {
    const { fromMs, toMs } = query.range();
    const records = this.audit.range(fromMs, toMs);
    const lines = Readable.from(
      (async function* () {
        for await (const record of records) yield `${JSON.stringify(record)}\n`;
      })(),
    );
    void reply
      .type('application/x-ndjson; charset=utf-8')
      .header('content-disposition', `attachment; filename="audit-${utcDay(fromMs)}.jsonl"`)
      .send(lines);
  }

  /** `?day=YYYY-MM-DD` (default today, UTC): tokens, ListaFirme credits and turns of the day. */
  @Get('costs')
  @ApiOperation({ summary: "One UTC day's tokens, ListaFirme credits and turns" })
  @ApiOkResponse({ type: DayCostsDto })
  @ApiBadRequestResponse({
    description: 'day is not YYYY-MM-DD, or an unknown query parameter',
    type: ErrorResponseDto,
  })
  async costs(@Query() { day }: CostsQueryDto) {
    const wanted = day ?? utcDay();
    return { day: wanted, ...(await this.audit.dayCosts(wanted)) };
  }
}
