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
    messageFormat: (log, messageKey) => {
      const req = log['req'] as { method?: string; url?: string } | undefined;
      const res = log['res'] as { statusCode?: number } | undefined;
      const parts: string[] = [];
      if (log['context'] !== undefined) parts.push(`[${String(log['context'])}]`);
      if (req?.method) parts.push(`${req.method} ${req.url}${res?.statusCode !== undefined ? ` ${res.statusCode} in ${String(log['responseTime'])} ms` : ''}:`);
      parts.push(String(log[messageKey] ?? ''));
      if (log['correlationId'] !== undefined) parts.push(`(correlation ${String(log['correlationId'])})`);
      return parts.filter(Boolean).join(' ');
    },
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
