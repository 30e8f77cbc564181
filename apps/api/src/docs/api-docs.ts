import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { AuditModule } from '../audit/audit.module';
import { KnowledgeModule } from '../knowledge/knowledge.module';
import { OutcomesModule } from '../outcomes/outcomes.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { ADMIN_AUTH_SCHEME, API_DOCS_JSON_ROUTE, API_DOCS_ROUTE } from './api-docs.constants';

/** The OpenAPI document: the admin endpoints (audit, costs, knowledge gaps) and the HubSpot webhook. */
export function createApiDocument(app: NestFastifyApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('HubSpot chat assistant api')
    .setDescription(
      'The admin endpoints (HTTP Basic: the Bull Board credentials; served only on ADMIN_PORT when it ' +
        'is set) and the public HubSpot webhook (signature v3 instead of credentials). Bull Board ' +
        '(/admin/queues), health and metrics are not described here.',
    )
    .setVersion('1')
    .addBasicAuth(
      { type: 'http', scheme: 'basic', description: 'BULL_BOARD_USER / BULL_BOARD_PASSWORD' },
      ADMIN_AUTH_SCHEME,
    )
    .build();
  return SwaggerModule.createDocument(app, config, {
    include: [AuditModule, KnowledgeModule, OutcomesModule, WebhooksModule],
  });
}

/**
 * Serves the document as Swagger UI at /admin/docs and as JSON at /admin/docs-json. They are
 * ordinary routes of this Fastify instance, so the deny-by-default access hook puts them behind the
 * admin credentials (and on the admin listener only, with ADMIN_PORT). Swagger UI's files come from
 * the local swagger-ui-dist package; its init script is a separate same-origin file, so the page
 * runs under `script-src 'self'` unchanged. No YAML twin; no third-party validator badge.
 */
export function setupApiDocs(app: NestFastifyApplication): void {
  SwaggerModule.setup(API_DOCS_ROUTE.slice(1), app, createApiDocument(app), {
    jsonDocumentUrl: API_DOCS_JSON_ROUTE.slice(1),
    raw: ['json'],
    customSiteTitle: 'HubSpot chat assistant api',
    swaggerOptions: { validatorUrl: null },
  });
}
