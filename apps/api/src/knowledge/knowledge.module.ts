import { Module } from '@nestjs/common';
import { KnowledgeGapsController } from './knowledge-gaps.controller';
import { KnowledgeGapsReader } from './knowledge-gaps.reader';

/** Operator reads of the knowledge gaps the worker records; routes live under /admin (basic auth). */
@Module({ controllers: [KnowledgeGapsController], providers: [KnowledgeGapsReader] })
export class KnowledgeModule {}
