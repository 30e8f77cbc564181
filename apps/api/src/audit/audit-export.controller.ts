import { Readable } from 'node:stream';
import { BadRequestException, Controller, Get, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { utcDay } from '@app/audit';
import { AuditReader } from './audit-reader.service';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** JSON-lines export of the audit trail and the day's cost totals, behind the admin auth. */
@Controller('admin')
export class AuditExportController {
  constructor(private readonly audit: AuditReader) {}

  /** `?from=` / `?to=`: ISO dates or times (default: the last 24 h). One record per line. */
  @Get('audit/export')
  export(@Query('from') from: string | undefined, @Query('to') to: string | undefined, @Res() reply: FastifyReply) {
    const toMs = to ? parseTime(to, 'to') : Date.now();
    const fromMs = from ? parseTime(from, 'from') : toMs - 86_400_000;
    if (fromMs > toMs) throw new BadRequestException('from must not be after to');
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
  async costs(@Query('day') day: string | undefined) {
    const wanted = day ?? utcDay();
    if (!DAY.test(wanted)) throw new BadRequestException('day must look like 2026-11-21');
    return { day: wanted, ...(await this.audit.dayCosts(wanted)) };
  }
}

function parseTime(value: string, name: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new BadRequestException(`${name} must be an ISO date or time`);
  return ms;
}
