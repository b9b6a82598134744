import { logFormatFor, serviceLogFormatter } from './service-logs';

const pino = (fields: Record<string, unknown>) => JSON.stringify({ level: 30, time: Date.UTC(2026, 10, 28, 9, 15, 0), pid: 4242, hostname: 'box', name: 'lending', ...fields });
const TIME = /^\[lending\] \[\d\d:\d\d:00\.000\] /;

describe('the log lines npm start prints for a service', () => {
  const readable = serviceLogFormatter('lending', { pretty: true, colorize: false });

  it('an HTTP request is one readable line: method, path, status, duration, correlation id; no JSON, no pid', () => {
    const line = readable(pino({ req: { id: 'c-1', method: 'POST', url: '/tenants/t/loans' }, res: { statusCode: 201 }, responseTime: 12, correlationId: 'c-1', msg: 'request completed' }));
    expect(line).toMatch(TIME);
    expect(line.replace(TIME, '')).toBe('INFO: POST /tenants/t/loans 201 in 12 ms: request completed (correlation c-1)');
  });

  it('a line logged while handling a request names the request, without an empty status', () => {
    const line = readable(pino({ context: 'health', req: { id: 'c-2', method: 'GET', url: '/health' }, correlationId: 'c-2', readiness: true, msg: 'ready' }));
    expect(line.split('\n')[0].replace(TIME, '')).toBe('INFO: [health] GET /health: ready (correlation c-2)');
    expect(line.split('\n')[1]).toBe('[lending]     readiness: true');
  });

  it('a NestJS line shows its context; other fields follow on their own prefixed lines', () => {
    expect(readable(pino({ context: 'NestApplication', msg: 'Nest application successfully started' })).replace(TIME, '')).toBe('INFO: [NestApplication] Nest application successfully started');
    const lines = readable(pino({ level: 50, msg: 'relay failed', err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at relay' } })).split('\n');
    expect(lines[0].replace(TIME, '')).toBe('ERROR: relay failed');
    expect(lines.length).toBeGreaterThan(3);
    expect(lines.every((l) => l.startsWith('[lending] '))).toBe(true);
    expect(lines.join('\n')).toContain('at relay');
  });

  it('a line that is not JSON (a crash before the logger exists) is printed as it came', () => {
    expect(readable('Error: Cannot find module x')).toBe('[lending] Error: Cannot find module x');
    expect(readable('{ not json')).toBe('[lending] { not json');
  });

  it('without pretty printing the JSON is kept, only prefixed', () => {
    const json = pino({ msg: 'started' });
    expect(serviceLogFormatter('lending', { pretty: false })(json)).toBe(`[lending] ${json}`);
  });

  it('is readable only on an interactive terminal, and never in production', () => {
    const terminal = { isTTY: true, hasColors: () => true } as unknown as NodeJS.WriteStream;
    const pipe = { isTTY: false } as unknown as NodeJS.WriteStream;
    expect(logFormatFor(terminal, {})).toEqual({ pretty: true, colorize: true });
    expect(logFormatFor(terminal, { NODE_ENV: 'production' })).toEqual({ pretty: false, colorize: false });
    expect(logFormatFor(pipe, {})).toEqual({ pretty: false, colorize: false });
  });
});
