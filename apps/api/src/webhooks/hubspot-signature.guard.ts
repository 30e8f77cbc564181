import { Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import { ApiConfig } from '../config/api-config';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyV3 } from './hubspot-signature';

/** Rejects (401) any webhook whose v3 signature or timestamp does not check out, before parsing. */
@Injectable()
export class HubSpotSignatureGuard implements CanActivate {
  constructor(
    private readonly config: ApiConfig,
    private readonly logger: PinoLogger,
  ) {
    this.logger.setContext(HubSpotSignatureGuard.name);
  }

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    const header = (name: string) => {
      const v = req.headers[name];
      return typeof v === 'string' ? v : undefined;
    };
    const verdict = verifyV3(
      {
        method: req.method,
        // Behind a proxy the server cannot see the public URL HubSpot signed: it comes from config.
        uri: this.config.hubspot.webhookUrl,
        rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
        signature: header(SIGNATURE_HEADER),
        timestamp: header(TIMESTAMP_HEADER),
      },
      this.config.hubspot.clientSecret,
      Date.now(),
    );
    if (!verdict.valid) {
      this.logger.warn({ reason: verdict.reason }, 'webhook signature rejected');
      throw new UnauthorizedException(`signature rejected: ${verdict.reason}`);
    }
    return true;
  }
}
