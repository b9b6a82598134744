/**
 * A single-node Apache Kafka broker (KRaft, combined broker+controller) for local runs and tests,
 * built from the official jars on Maven Central and run on the local Java: no Docker, no download
 * outside Maven. See docs/decisions/0001-local-infrastructure.md ("## Kafka") for the version choice.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { findExecutable, isAlive, isExecutable, OWNER_FILE, removeOrphanedTempDirs, withParentDeathSignal, writeOwnerFile } from './processes';

export const KAFKA_VERSION = '4.4.0';

export interface KafkaNode {
  readonly brokers: string[];
  readonly logFile: string;
  /** Stops the broker process (SIGTERM, then SIGKILL after 10 s); keeps data and ports, for fault tests. */
  kill(): Promise<void>;
  /** Starts the broker again on the same ports and data (after kill); resolves when it is ready. */
  start(): Promise<void>;
  /** Stops the process and deletes the data dir; idempotent. */
  stop(): Promise<void>;
}

type Log = (line: string) => void;

const SCALA_VERSION = '2.13';
const KAFKA_ARTIFACT = `org.apache.kafka:kafka_${SCALA_VERSION}:${KAFKA_VERSION}`;
// Kafka 4.x logs through slf4j 1.7 but ships no binding in its pom; the distribution adds this one.
const SLF4J_BINDING = 'org.apache.logging.log4j:log4j-slf4j-impl:2.25.5';
const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';
const SERVER_MAIN = 'kafka.Kafka';
const STORAGE_TOOL_MAIN = 'kafka.tools.StorageTool';
const MIN_JAVA = 17;

const READY_TIMEOUT_MS = 90_000;
const KILL_GRACE_MS = 10_000;
const MAVEN_TIMEOUT_MS = 10 * 60_000;
const LOCK_STALE_MS = 15 * 60_000;
const COMPLETE_MARKER = '.complete.json';

const noLog: Log = () => undefined;

class KafkaStartError extends Error {
  constructor(reason: string) {
    super(`Kafka failed to start: ${oneLine(reason)}`);
    this.name = 'KafkaStartError';
  }
}

// ---------------------------------------------------------------------------------------------
// Jars: resolved once with Maven into a cache outside the repository
// ---------------------------------------------------------------------------------------------

export async function ensureKafkaJars(log: Log = noLog): Promise<{ version: string; classpath: string }> {
  const root = cacheRoot();
  const dir = path.join(root, `kafka-${KAFKA_VERSION}`);
  let jars = readCompleteCache(dir);
  if (!jars) {
    fs.mkdirSync(root, { recursive: true });
    jars = await withLock(`${dir}.lock`, log, async () => {
      const cached = readCompleteCache(dir);
      if (cached) return cached;
      removeLeftoverStaging(dir);
      return resolveJars(dir, log);
    });
  }
  return { version: KAFKA_VERSION, classpath: jars.join(path.delimiter) };
}

function cacheRoot(): string {
  return process.env['TREMPLIN_CACHE_DIR'] || path.join(os.homedir(), '.cache', 'tremplin');
}

/** The jar paths of a complete cache, or undefined when the marker or any jar is missing. */
function readCompleteCache(dir: string): string[] | undefined {
  try {
    const marker = JSON.parse(fs.readFileSync(path.join(dir, COMPLETE_MARKER), 'utf8')) as { jars?: unknown };
    if (!Array.isArray(marker.jars) || marker.jars.length === 0) return undefined;
    const jars = marker.jars.map((name) => path.join(dir, 'libs', String(name)));
    return jars.every((jar) => fs.existsSync(jar)) ? jars : undefined;
  } catch {
    return undefined;
  }
}

/** Staging folders of runs that died mid-resolution; only the lock holder creates one, so none is live. */
function removeLeftoverStaging(dir: string): void {
  const prefix = `${path.basename(dir)}.staging-`;
  for (const name of fs.readdirSync(path.dirname(dir))) {
    if (name.startsWith(prefix)) fs.rmSync(path.join(path.dirname(dir), name), { recursive: true, force: true });
  }
}

async function resolveJars(dir: string, log: Log): Promise<string[]> {
  const mvn = findExecutable('mvn');
  if (!mvn) throw new KafkaStartError('mvn not found on PATH (install Maven 3.8+)');
  // Built aside and renamed into place, so a reader never sees a half-filled libs/ folder.
  const staging = `${dir}.staging-${process.pid}-${randomBytes(4).toString('hex')}`;
  const libs = path.join(staging, 'libs');
  fs.mkdirSync(staging, { recursive: true });
  try {
    fs.writeFileSync(path.join(staging, 'pom.xml'), runtimePom());
    log(`kafka: resolving ${KAFKA_ARTIFACT} and its runtime dependencies with Maven into ${dir}`);
    const startedAt = Date.now();
    const result = await runCommand(
      mvn,
      ['-q', '-B', '-Dstyle.color=never', '-f', path.join(staging, 'pom.xml'), `${DEPENDENCY_PLUGIN}:copy-dependencies`,
        `-DoutputDirectory=${libs}`, '-DincludeScope=runtime'],
      { cwd: staging, timeoutMs: MAVEN_TIMEOUT_MS },
    );
    if (result.code !== 0) {
      throw new KafkaStartError(`Maven could not resolve ${KAFKA_ARTIFACT} (offline?): ${firstMavenError(result.output)}`);
    }
    const jars = fs.readdirSync(libs).filter((name) => name.endsWith('.jar')).sort();
    if (!jars.includes(`kafka_${SCALA_VERSION}-${KAFKA_VERSION}.jar`)) {
      throw new KafkaStartError(`Maven finished but kafka_${SCALA_VERSION}-${KAFKA_VERSION}.jar is missing from ${libs}`);
    }
    fs.writeFileSync(path.join(staging, COMPLETE_MARKER), JSON.stringify({ artifact: KAFKA_ARTIFACT, jars }, null, 2));
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(staging, dir);
    log(`kafka: resolved ${jars.length} jars in ${seconds(Date.now() - startedAt)}`);
    return jars.map((name) => path.join(dir, 'libs', name));
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

function runtimePom(): string {
  const dependency = (coordinates: string): string => {
    const [groupId, artifactId, version] = coordinates.split(':');
    return `    <dependency><groupId>${groupId}</groupId><artifactId>${artifactId}</artifactId><version>${version}</version></dependency>`;
  };
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<project xmlns="http://maven.apache.org/POM/4.0.0">',
    '  <modelVersion>4.0.0</modelVersion>',
    '  <groupId>local.tremplin</groupId>',
    `  <artifactId>kafka-runtime-${KAFKA_VERSION}</artifactId>`,
    '  <version>1</version>',
    '  <packaging>pom</packaging>',
    '  <dependencies>',
    dependency(KAFKA_ARTIFACT),
    dependency(SLF4J_BINDING),
    '  </dependencies>',
    '</project>',
    '',
  ].join('\n');
}

function firstMavenError(output: string): string {
  const lines = output
    // Maven 3.8 prints colour resets even in batch mode with style.color=never.
    // eslint-disable-next-line no-control-regex
    .replace(/\x1b\[[0-9;]*m/g, '')
    .split('\n')
    .map((line) => line.replace(/^\[ERROR\]/, '').replace(/\s*-> \[Help \d+\]$/, '').trim())
    .filter(Boolean);
  return (lines[0] ?? 'no output').slice(0, 400);
}

/** A mkdir-based lock: mkdir is atomic, and a lock left by a dead process (or too old) is taken over. */
async function withLock<T>(lockDir: string, log: Log, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + MAVEN_TIMEOUT_MS + 60_000;
  let announced = false;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (isStaleLock(lockDir)) {
      fs.rmSync(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new KafkaStartError(`timed out waiting for the cache lock ${lockDir}`);
    if (!announced) log(`kafka: waiting for another process to finish resolving the jars (${lockDir})`);
    announced = true;
    await sleep(500);
  }
  try {
    fs.writeFileSync(path.join(lockDir, OWNER_FILE), JSON.stringify({ pid: process.pid, host: os.hostname() }));
    return await fn();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}

function isStaleLock(lockDir: string): boolean {
  try {
    const age = Date.now() - fs.statSync(lockDir).mtimeMs;
    if (age > LOCK_STALE_MS) return true;
    const owner = JSON.parse(fs.readFileSync(path.join(lockDir, OWNER_FILE), 'utf8')) as { pid: number; host: string };
    return owner.host === os.hostname() && !isAlive(owner.pid);
  } catch {
    return false; // vanished, or the owner file is not written yet: not stale
  }
}

// ---------------------------------------------------------------------------------------------
// The broker
// ---------------------------------------------------------------------------------------------

export async function startKafka(options: { log?: (line: string) => void; heapMb?: number } = {}): Promise<KafkaNode> {
  let node: LocalKafkaNode | undefined;
  try {
    const log = options.log ?? noLog;
    const java = checkJava();
    const { classpath } = await ensureKafkaJars(log);
    const [port, controllerPort] = await freePorts(2);
    removeOrphanedTempDirs('tremplin-kafka-');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tremplin-kafka-'));
    node = new LocalKafkaNode({ java, classpath, dir, port, controllerPort, heapMb: options.heapMb ?? 768, log });
    await node.format();
    await node.start();
    return node;
  } catch (error) {
    await node?.abandon();
    throw error instanceof KafkaStartError ? error : new KafkaStartError(errorMessage(error));
  }
}

interface NodeSettings {
  java: string;
  classpath: string;
  dir: string;
  port: number;
  controllerPort: number;
  heapMb: number;
  log: Log;
}

interface Running {
  child: ChildProcess;
  exited: Promise<number | string>; // exit code, or the signal name
}

class LocalKafkaNode implements KafkaNode {
  readonly brokers: string[];
  readonly logFile: string;
  private readonly dataDir: string;
  private running: Running | undefined;
  private stopping: Promise<void> | undefined;

  constructor(private readonly settings: NodeSettings) {
    const { dir, port } = settings;
    this.brokers = [`127.0.0.1:${port}`];
    this.logFile = path.join(dir, 'broker.log');
    this.dataDir = path.join(dir, 'data');
    installExitHandler();
    liveDirs.add(dir);
    writeOwnerFile(dir);
    fs.writeFileSync(path.join(dir, 'server.properties'), serverProperties(settings, this.dataDir));
    fs.writeFileSync(path.join(dir, 'log4j2.properties'), log4jProperties(this.logFile));
  }

  /** Formats the storage with a fresh cluster id (KRaft needs it before the first start). */
  async format(): Promise<void> {
    const result = await runCommand(
      this.settings.java,
      [...this.jvmArgs(['-Xmx256m']), STORAGE_TOOL_MAIN, 'format', '-t', randomClusterId(), '-c', this.file('server.properties')],
      { cwd: this.settings.dir, timeoutMs: 60_000 },
    );
    if (result.code !== 0) {
      throw new KafkaStartError(`storage format exited with code ${result.code}: ${lastRelevantLine(result.output)}`);
    }
  }

  async start(): Promise<void> {
    if (this.stopping) throw new Error('Kafka node is stopped; call startKafka() for a new one');
    if (this.running) return;
    const startedAt = Date.now();
    const { heapMb, log } = this.settings;
    const jvm = this.jvmArgs([`-Xms${Math.min(256, heapMb)}m`, `-Xmx${heapMb}m`, '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20']);
    const running = launch(this.settings.java, [...jvm, SERVER_MAIN, this.file('server.properties')], this.logFile);
    this.running = running;
    void running.exited.then(() => {
      if (this.running === running) this.running = undefined;
    });
    try {
      await waitUntilReady(this.brokers, running, Date.now() + READY_TIMEOUT_MS);
    } catch (error) {
      // Read before killing: the shutdown would bury the cause under its own log lines.
      const last = lastRelevantLine(readTail(this.logFile)) || 'no log output';
      await this.kill();
      throw new KafkaStartError(`${errorMessage(error)}; see ${this.logFile}: ${last}`);
    }
    log(`kafka: broker ${KAFKA_VERSION} ready at ${this.brokers.join(',')} in ${seconds(Date.now() - startedAt)} (log: ${this.logFile})`);
  }

  async kill(): Promise<void> {
    const running = this.running;
    if (!running) return;
    running.child.kill('SIGTERM');
    const timer = setTimeout(() => running.child.kill('SIGKILL'), KILL_GRACE_MS);
    try {
      await running.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.kill();
      fs.rmSync(this.settings.dir, { recursive: true, force: true });
      liveDirs.delete(this.settings.dir);
    })();
    return this.stopping;
  }

  /** After a failed first start: no data is worth keeping, but the logs are what the error points to. */
  async abandon(): Promise<void> {
    this.stopping ??= (async () => {
      await this.kill();
      fs.rmSync(this.dataDir, { recursive: true, force: true });
      liveDirs.delete(this.settings.dir);
    })();
    await this.stopping;
  }

  private jvmArgs(memory: string[]): string[] {
    return [
      ...memory,
      '-Djava.awt.headless=true',
      `-Dlog4j2.configurationFile=${this.file('log4j2.properties')}`,
      `-Dkafka.logs.dir=${this.settings.dir}`,
      '-cp',
      this.settings.classpath,
    ];
  }

  private file(name: string): string {
    return path.join(this.settings.dir, name);
  }
}

function serverProperties(settings: NodeSettings, dataDir: string): string {
  const { port, controllerPort } = settings;
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${dataDir}`,
    'auto.create.topics.enable=false',
    'num.partitions=1',
    'default.replication.factor=1',
    'min.insync.replicas=1',
    'offsets.topic.replication.factor=1',
    // 50 partitions by default: creating them on the first group join costs seconds on a 2-core machine.
    'offsets.topic.num.partitions=6',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    '',
  ].join('\n');
}

function log4jProperties(logFile: string): string {
  return [
    'status = warn',
    'appender.file.type = File',
    'appender.file.name = FILE',
    `appender.file.fileName = ${logFile}`,
    'appender.file.layout.type = PatternLayout',
    'appender.file.layout.pattern = [%d] %p %m (%c)%n',
    'rootLogger.level = INFO',
    'rootLogger.appenderRef.file.ref = FILE',
    // These two repeat every partition change at INFO; warnings are enough here.
    'logger.stateChange.name = state.change.logger',
    'logger.stateChange.level = WARN',
    'logger.request.name = kafka.request.logger',
    'logger.request.level = WARN',
    '',
  ].join('\n');
}

/** A Kafka Uuid: 16 random bytes in URL-safe base64; Kafka itself never issues one starting with '-'. */
function randomClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

// ---------------------------------------------------------------------------------------------
// Process handling: the broker never outlives this Node process
// ---------------------------------------------------------------------------------------------

const liveChildren = new Set<ChildProcess>();
const liveDirs = new Set<string>();
let exitHandlerInstalled = false;

/** The JVM's own output (bad class path, heap too small) goes to the broker's log file: both only append. */
function launch(java: string, args: string[], logFile: string): Running {
  const out = fs.openSync(logFile, 'a');
  const [command, commandArgs] = withParentDeathSignal(java, args);
  let child: ChildProcess;
  try {
    child = spawn(command, commandArgs, { stdio: ['ignore', out, out] });
  } finally {
    fs.closeSync(out);
  }
  liveChildren.add(child);
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
    child.once('error', (error) => resolve(error.message));
  }).finally(() => liveChildren.delete(child));
  return { child, exited };
}

function installExitHandler(): void {
  if (exitHandlerInstalled) return;
  exitHandlerInstalled = true;
  process.on('exit', () => {
    for (const child of liveChildren) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
    for (const dir of liveDirs) {
      try {
        fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
      } catch {
        // best effort: the next startKafka() removes orphaned folders
      }
    }
  });
}

async function waitUntilReady(brokers: string[], running: Running, deadline: number): Promise<void> {
  let exit: number | string | undefined;
  void running.exited.then((code) => (exit = code));
  let lastError = 'no answer yet';
  while (Date.now() < deadline) {
    if (exit !== undefined) throw new Error(`broker exited with code ${exit}`);
    try {
      await probe(brokers);
      return;
    } catch (error) {
      lastError = errorMessage(error);
    }
    await sleep(250);
  }
  if (exit !== undefined) throw new Error(`broker exited with code ${exit}`);
  throw new Error(`broker not ready after ${READY_TIMEOUT_MS / 1000}s (last probe: ${lastError})`);
}

/** Ready means a kafkajs admin connects, sees this broker in the cluster and can list topics. */
async function probe(brokers: string[]): Promise<void> {
  const admin = new Kafka({
    clientId: 'tremplin-kafka-probe',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    requestTimeout: 3_000,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    if (!cluster.brokers.some((broker) => broker.nodeId === 1)) throw new Error('broker 1 not registered yet');
    await admin.listTopics();
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

function checkJava(): string {
  const javaHome = process.env['JAVA_HOME'];
  const fromHome = javaHome ? path.join(javaHome, 'bin', 'java') : undefined;
  const java = fromHome && isExecutable(fromHome) ? fromHome : findExecutable('java');
  if (!java) throw new KafkaStartError(`java not found on PATH (install Java ${MIN_JAVA})`);
  const result = spawnSync(java, ['-version'], { encoding: 'utf8' });
  const match = /version "(\d+)(?:\.(\d+))?/.exec(`${result.stderr}${result.stdout}`);
  const major = match ? Number(match[1] === '1' ? match[2] : match[1]) : NaN;
  if (!(major >= MIN_JAVA)) {
    throw new KafkaStartError(`Java ${MIN_JAVA}+ required, ${java} is ${match ? `Java ${major}` : 'not runnable'}`);
  }
  return java;
}

async function freePorts(count: number): Promise<number[]> {
  // All listeners are held open together so the same port is never handed out twice.
  const servers = await Promise.all(
    Array.from({ length: count }, () =>
      new Promise<net.Server>((resolve, reject) => {
        const server = net.createServer();
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve(server));
      }),
    ),
  );
  const ports = servers.map((server) => (server.address() as net.AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  return ports;
}

function runCommand(
  command: string,
  args: string[],
  options: { cwd: string; timeoutMs: number },
): Promise<{ code: number | string; output: string }> {
  return new Promise((resolve) => {
    const [launcher, launcherArgs] = withParentDeathSignal(command, args);
    const child = spawn(launcher, launcherArgs, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve({ code: error.message, output });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? signal ?? 'unknown', output });
    });
  });
}

function readTail(file: string, bytes = 64 * 1024): string {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const length = Math.min(size, bytes);
      const buffer = Buffer.alloc(length);
      fs.readSync(fd, buffer, 0, length, size - length);
      return buffer.toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return '';
  }
}

/** The last error-looking line (with the JVM's explanation line after it, if any), else the last log entry. */
function lastRelevantLine(text: string): string {
  const lines = text.split('\n').map((line) => line.trim()).filter(Boolean);
  const isStackFrame = (line: string): boolean => /^(at |\.\.\. \d+ more)/.test(line);
  let index = lines.length - 1;
  while (index >= 0 && (isStackFrame(lines[index]!) || !/\b(ERROR|FATAL)\b|Exception|^Error/.test(lines[index]!))) index--;
  if (index < 0) return ([...lines].reverse().find((line) => line.startsWith('[')) ?? lines.at(-1) ?? '').slice(0, 400);
  const next = lines[index + 1];
  const detail = next && !next.startsWith('[') && !isStackFrame(next) ? ` — ${next}` : '';
  return `${lines[index]}${detail}`.slice(0, 400);
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
