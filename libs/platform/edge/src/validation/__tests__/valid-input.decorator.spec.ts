import { Controller, Get, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { DomainException } from '@baton/platform-errors';
import { z } from 'zod';
import { configureHttpApp } from '../../http-app.util';
import { pageLimit, requiredText } from '../request-fields.schema';
import { describeIssues, requestBody, requestQuery, type Accepted } from '../request-schema.util';
import { ValidBody, ValidQuery } from '../valid-input.decorator';

const invalid = (issues: Array<{ path: string; message: string }>) =>
  new DomainException('invalid_thing', describeIssues('invalid thing', issues), { issues });

const listQuery = requestQuery(
  z.object({ limit: pageLimit({ max: 20, fallback: 10 }), colour: z.enum(['red', 'blue'], { error: 'must be red or blue' }).optional() }),
  { invalid },
);
const createBody = requestBody(
  z.strictObject({ reason: requiredText('why').meta({ example: 'because' }), count: z.int({ error: 'must be an integer' }).optional() }),
  { invalid },
);

@Controller('things')
class ThingsController {
  @Get()
  list(@ValidQuery(listQuery) query: Accepted<typeof listQuery>): unknown {
    return query;
  }

  @Post()
  create(@ValidBody(createBody) body: Accepted<typeof createBody>): unknown {
    return body;
  }
}

@Module({ controllers: [ThingsController] })
class ThingsModule {}

describe('ValidBody and ValidQuery', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await NestFactory.create<NestFastifyApplication>(ThingsModule, new FastifyAdapter(), { logger: false });
    configureHttpApp(app);
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(async () => app.close());

  async function call(method: 'GET' | 'POST', url: string, body?: unknown): Promise<{ status: number; body: any }> {
    const response = await app.inject({
      method,
      url,
      ...(body === undefined ? {} : { payload: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    return { status: response.statusCode, body: JSON.parse(response.body) };
  }

  it('hands the handler the parsed query, defaults applied', async () => {
    expect(await call('GET', '/things')).toEqual({ status: 200, body: { limit: 10 } });
    expect(await call('GET', '/things?limit=3&colour=red&other=1')).toEqual({ status: 200, body: { limit: 3, colour: 'red' } });
  });

  it('answers a bad query 400 in the shape of every error, naming each parameter', async () => {
    expect(await call('GET', '/things?limit=99&colour=green')).toEqual({
      status: 400,
      body: {
        error: 'invalid_thing',
        message: 'invalid thing: limit must be an integer from 1 to 20; colour must be red or blue',
        details: {
          issues: [
            { path: 'limit', message: 'must be an integer from 1 to 20' },
            { path: 'colour', message: 'must be red or blue' },
          ],
        },
      },
    });
  });

  it('hands the handler the accepted body, and answers a bad one 400 naming each field by JSON pointer', async () => {
    expect(await call('POST', '/things', { reason: ' yes ', count: 2 })).toEqual({ status: 201, body: { reason: 'yes', count: 2 } });
    expect(await call('POST', '/things', { count: 1.5, extra: true })).toEqual({
      status: 400,
      body: {
        error: 'invalid_thing',
        message:
          'invalid thing: /extra is not a known field (expected reason and count); /reason is required: why; /count must be an integer',
        details: {
          issues: [
            { path: '/extra', message: 'is not a known field (expected reason and count)' },
            { path: '/reason', message: 'is required: why' },
            { path: '/count', message: 'must be an integer' },
          ],
        },
      },
    });
  });

  it('documents each query parameter and the body with the schemas the checks use', () => {
    const document = SwaggerModule.createDocument(app, new DocumentBuilder().build());
    expect(document.paths['/things']!.get!.parameters).toEqual([
      expect.objectContaining({
        name: 'limit',
        in: 'query',
        required: false,
        schema: expect.objectContaining({ type: 'integer', minimum: 1, maximum: 20, default: 10 }),
      }),
      expect.objectContaining({ name: 'colour', in: 'query', required: false, schema: { type: 'string', enum: ['red', 'blue'] } }),
    ]);
    expect(document.paths['/things']!.post!.requestBody).toEqual({
      required: true,
      content: {
        'application/json': {
          schema: {
            type: 'object',
            properties: {
              reason: { type: 'string', minLength: 1, example: 'because' },
              count: expect.objectContaining({ type: 'integer' }),
            },
            required: ['reason'],
            additionalProperties: false,
          },
        },
      },
    });
  });
});
