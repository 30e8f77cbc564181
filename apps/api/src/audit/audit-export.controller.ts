import { Readable } from 'node:stream';
import { Controller, Get, Query, Res, UsePipes } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { utcDay } from '@app/audit';
import { adminValidationPipe } from './admin-validation.pipe';
import { AuditExportQueryDto } from './audit-export-query.dto';
import { AuditReader } from './audit-reader.service';
import { CostsQueryDto } from './costs-query.dto';

/** JSON-lines export of the audit trail and the day's cost totals, behind the admin auth. */
@Controller('admin')
@UsePipes(adminValidationPipe)
export class AuditExportController {
  constructor(private readonly audit: AuditReader) {}

  /** `?from=` / `?to=`: ISO dates or times (default: the last 24 h). One record per line. */
  @Get('audit/export')
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
  async costs(@Query() { day }: CostsQueryDto) {
    const wanted = day ?? utcDay();
    return { day: wanted, ...(await this.audit.dayCosts(wanted)) };
  }
}
