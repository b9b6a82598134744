import { prettyFactory } from 'pino-pretty';

export interface LogFormat {
  /** Readable lines instead of pino's JSON. */
  pretty: boolean;
  colorize?: boolean;
}

// The services always write JSON (as in production, where log collectors parse it); only `npm start`, reading its
// children's output, rewrites it for a person at a terminal, so nothing a service does depends on where it runs.
export function logFormatFor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): LogFormat {
  const pretty = stream.isTTY === true && env['NODE_ENV'] !== 'production';
  return { pretty, colorize: pretty && (stream.hasColors?.() ?? false) };
}

/** Turns one line of a service's output into the lines `npm start` prints, each prefixed with the service's name. */
export function serviceLogFormatter(service: string, format: LogFormat): (line: string) => string {
  const prefix = `[${service}] `;
  if (!format.pretty) return (line) => prefix + line;
  const pretty = prettyFactory({
    colorize: format.colorize ?? false,
    translateTime: 'SYS:HH:MM:ss.l',
    // The prefix names the service; an HTTP request reads as one line.
    ignore: 'pid,hostname,name,context,req,res,responseTime,correlationId',
    messageFormat: '{if context}[{context}] {end}{if req.method}{req.method} {req.url} {res.statusCode} in {responseTime} ms: {end}{msg}{if correlationId} (correlation {correlationId}){end}',
  });
  return (line) => {
    if (!line.startsWith('{')) return prefix + line;
    let text: string;
    try {
      text = pretty(line);
    } catch {
      return prefix + line;
    }
    return text
      .replace(/\n$/, '')
      .split('\n')
      .map((part) => prefix + part)
      .join('\n');
  };
}
