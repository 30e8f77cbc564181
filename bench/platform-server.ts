/**
 * The smallest Nest app for bench/platform.bench.ts: one POST route that takes a JSON body and
 * returns JSON, on the HTTP platform named by argv[2] (`express` or `fastify`), on PORT.
 * Nest's decorators are applied as plain functions (what TypeScript emits for them), so this file
 * runs under Node's type stripping like the other benchmark files, without a build.
 */
import 'reflect-metadata';
import { Body, Controller, HttpCode, Module, Post, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

const platform = process.argv[2];
const port = Number(process.env.PORT ?? 3200);

class WebhookController {
  receive(events: unknown) {
    return { accepted: Array.isArray(events) ? events.length : 0, duplicates: 0, ignored: 0, invalid: 0 };
  }
}
// @Controller('webhooks') class … { @Post('hubspot') @HttpCode(200) receive(@Body() events) }
const onParameter =
  (index: number, decorator: ParameterDecorator): MethodDecorator =>
  (target, key) =>
    decorator(target, key, index);
Object.defineProperty(
  WebhookController.prototype,
  'receive',
  Reflect.decorate(
    [Post('hubspot'), HttpCode(200), onParameter(0, Body())],
    WebhookController.prototype,
    'receive',
    Object.getOwnPropertyDescriptor(WebhookController.prototype, 'receive'),
  ),
);
Reflect.decorate([Controller('webhooks')], WebhookController);

class AppModule {}
Reflect.decorate([Module({ controllers: [WebhookController] })], AppModule);

async function main(): Promise<void> {
  let app: INestApplication;
  if (platform === 'fastify') {
    const { FastifyAdapter } = await import('@nestjs/platform-fastify');
    app = await NestFactory.create(AppModule, new FastifyAdapter(), { logger: false });
  } else if (platform === 'express') {
    const { ExpressAdapter } = await import('@nestjs/platform-express');
    app = await NestFactory.create(AppModule, new ExpressAdapter(), { logger: false });
  } else {
    throw new Error(`unknown platform ${platform}: use express or fastify`);
  }
  app.enableShutdownHooks();
  await app.listen(port, '127.0.0.1');
  console.log(`${platform} listening on ${port}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
