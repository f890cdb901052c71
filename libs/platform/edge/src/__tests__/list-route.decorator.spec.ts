import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { ApiOperation, ApiTags, DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ListRoute } from '../list-route.decorator';

@ApiTags('things')
@Controller('things')
class ThingsController {
  @ListRoute('Things, oldest first.')
  list(): unknown {
    return { items: ['a'] };
  }
}

@ApiTags('things')
@Controller('spelled-out')
class SpelledOutController {
  @Get()
  @ApiOperation({ summary: 'Things, oldest first.' })
  list(): unknown {
    return { items: ['a'] };
  }
}

@Module({ controllers: [ThingsController, SpelledOutController] })
class ThingsModule {}

describe(ListRoute.name, () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await NestFactory.create<NestFastifyApplication>(ThingsModule, new FastifyAdapter(), { logger: false });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(async () => app.close());

  it('routes GET of the collection to the handler', async () => {
    const response = await app.inject({ method: 'GET', url: '/things' });

    expect({ status: response.statusCode, body: JSON.parse(response.body) }).toEqual({ status: 200, body: { items: ['a'] } });
  });

  it('documents the route as @Get() with @ApiOperation({ summary }) does', () => {
    const document = SwaggerModule.createDocument(app, new DocumentBuilder().build());
    const { operationId: _ours, ...ours } = document.paths['/things']!.get!;
    const { operationId: _theirs, ...theirs } = document.paths['/spelled-out']!.get!;

    expect(ours).toEqual(theirs);
    expect(ours.summary).toBe('Things, oldest first.');
  });
});
