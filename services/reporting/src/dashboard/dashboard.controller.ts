import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Controller, Get, Header, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '@tremplin/auth';
import { ApiError } from '@tremplin/service-kit';

// The page and its scripts hold no figure: they are public, and every figure comes from the API with the
// viewer's token. Chart.js is served from the project's own node_modules (no CDN).
const PUBLIC_DIR = join(__dirname, '..', '..', 'public');
const ASSETS: Record<string, { file: string; type: string }> = {
  'dashboard.js': { file: join(PUBLIC_DIR, 'dashboard.js'), type: 'text/javascript; charset=utf-8' },
  'dashboard.css': { file: join(PUBLIC_DIR, 'dashboard.css'), type: 'text/css; charset=utf-8' },
  'chart.umd.min.js': { file: join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'), type: 'text/javascript; charset=utf-8' },
};
const cache = new Map<string, string>();
const read = (file: string) => cache.get(file) ?? cache.set(file, readFileSync(file, 'utf8')).get(file)!;

@ApiExcludeController()
@Controller('reporting/dashboard')
export class DashboardController {
  @Get()
  @Public()
  @Header('Content-Type', 'text/html; charset=utf-8')
  page(): string {
    return read(join(PUBLIC_DIR, 'index.html'));
  }

  @Get('assets/:name')
  @Public()
  asset(@Param('name') name: string, @Res() response: Response): void {
    const asset = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
    if (!asset) throw new ApiError(404, 'NOT_FOUND', 'not found', 'name');
    response.type(asset.type).send(read(asset.file));
  }
}
