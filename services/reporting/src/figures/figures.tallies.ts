import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Pool } from '@tremplin/pg';
import { CLOCK, loggerOf, METRICS_REGISTRY, PG_POOL, SERVICE_CONFIG, type Clock } from '@tremplin/service-kit';
import type { ReportingConfig } from '../config';
import { knownTenants } from '../facts/facts.store';
import { byTenant, emptyTally, talliesOf, type TenantTallies } from './figures.aggregate';
import { AnswerCache, answerKey, readModelVersion, tenantVersions } from './figures.cache';
import { loadFacts } from './figures.load';
import { periodOf } from './period';

/** What a CCAS's tallies depend on besides its facts: the period, the product filter and today (deadlines passed). */
export interface TallyShape {
  readonly period: string;
  readonly product?: string;
  readonly today: string;
}

export interface TalliesRead {
  readonly tallies: TenantTallies[];
  /** How many CCAS this call read from the database (the others were kept, or being read by another call). */
  readonly read: number;
}

// A shape asked for is kept fresh this long after it was last asked for.
const ASKED_KEEP_MS = 15 * 60_000;
const ASKED_SHAPES = 16;
// At most this many CCAS moved: refreshed at once. More (a catch-up, a rebuild): once the facts stood still this long.
const FEW_CCAS = 30;
const STILL_MS = 2_000;

/**
 * Each CCAS's tallies of a period and filters, kept while its facts do not move (ADR 0012), shared by every answer:
 * - an answer reads again only the CCAS whose count of fact writes moved, and a CCAS already being read for the same
 *   shape and version by another answer is awaited rather than read twice;
 * - at start, the current year and quarter of every known CCAS are read before the service consumes or takes requests,
 *   so the first answer does not pay for reading every CCAS (about a second at ten years of national volume);
 * - when the facts moved, the tallies of the current year and quarter and of the shapes asked for recently are brought
 *   up to date in the background: at once when a fold touched a few CCAS, after a catch-up or a rebuild once the facts
 *   stood still (refreshing while hundreds of CCAS keep moving would only slow the catch-up down). The next answer
 *   then finds them kept, or awaits the read in flight.
 */
@Injectable()
export class FigureTallies implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = loggerOf('reporting');
  // A year of a large CCAS holds a few thousand values: 20 shapes over 300 CCAS.
  private readonly kept = new AnswerCache<TenantTallies>(6_000);
  private readonly reading = new Map<string, Promise<TenantTallies>>();
  private readonly asked = new Map<string, { readonly shape: TallyShape; readonly tenants: Set<string>; at: number }>();
  private timer?: NodeJS.Timeout;
  private refreshing?: Promise<void>;
  private lastSeen?: string;
  private movedAt = 0;
  private restUntil = 0;
  private refreshedAt?: string;
  private stopping = false;
  private readonly refreshedWrites: Gauge;
  private readonly tenantsRead: Counter<'by'>;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(SERVICE_CONFIG) private readonly config: ReportingConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(METRICS_REGISTRY) metrics: Registry,
  ) {
    this.refreshedWrites = new Gauge({
      name: 'reporting_kept_figures_writes',
      help: 'The count of fact writes (reporting.fold_progress.writes) the kept figures of the current and recently asked periods were last brought up to',
      registers: [metrics],
    });
    this.tenantsRead = new Counter({
      name: 'reporting_kept_figures_tenants_read_total',
      help: 'CCAS whose facts of a period were read to keep their tallies: by an answer, by the warming at start or by the background refresh',
      labelNames: ['by'],
      registers: [metrics],
    });
  }

  /**
   * Warms before anything else starts: module init ends before any application bootstrap, so the consumers start
   * (and the port opens) once the current year and quarter are read — a catch-up does not compete with the warming.
   */
  async onModuleInit(): Promise<void> {
    if (!this.enabled()) return;
    const started = Date.now();
    // Bounded: a slow database delays the start by at most this much, the warming goes on in the background.
    const warming = readModelVersion(this.pool)
      .then((version) => this.refresh(version, Infinity, 'start'))
      .catch((error: Error) => this.log('warn', 'reporting: warming the kept figures failed', { error: error.message }));
    await Promise.race([warming, new Promise((resolve) => setTimeout(resolve, this.config.REPORTING_TALLIES_WARM_BUDGET_MS).unref())]);
    this.log('info', 'reporting: kept figures warmed', { millis: Date.now() - started });
  }

  onApplicationBootstrap(): void {
    if (this.enabled()) this.schedule();
  }

  private enabled(): boolean {
    return this.config.REPORTING_FIGURES_CACHE && this.config.REPORTING_TALLIES_REFRESH_MS > 0;
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    await this.refreshing?.catch(() => undefined);
  }

  /**
   * The tallies of these CCAS for a shape, each at its current version: kept ones as they are, the others read in one
   * transaction (CCAS with no facts at all need no read).
   */
  async tallies(tenants: readonly string[], shape: TallyShape): Promise<TalliesRead> {
    const key = answerKey({ period: shape.period, product: shape.product, today: shape.today });
    this.noteAsked(key, shape, tenants);
    const versions = await tenantVersions(this.pool, tenants);
    const found: Array<TenantTallies | Promise<TenantTallies>> = [];
    const stale: string[] = [];
    for (const tenant of tenants) {
      const version = versions.get(tenant)!;
      const kept = this.kept.get(`${tenant} ${key}`, version);
      if (kept) found.push(kept);
      else if (version === 'none') found.push(emptyOf(tenant));
      else {
        const reading = this.reading.get(`${tenant} ${key} ${version}`);
        if (reading) found.push(reading);
        else stale.push(tenant);
      }
    }
    if (stale.length > 0) {
      this.tenantsRead.inc({ by: 'answer' }, stale.length);
      const read = this.read(stale, shape, key, versions);
      for (const tenant of stale) found.push(read.then((fresh) => fresh.get(tenant)!));
    }
    return { tallies: await Promise.all(found), read: stale.length };
  }

  private read(tenants: readonly string[], shape: TallyShape, key: string, versions: ReadonlyMap<string, string>): Promise<Map<string, TenantTallies>> {
    const period = periodOf(shape.period);
    const reading = loadFacts(this.pool, tenants, period, shape.product).then((facts) => {
      const fresh = new Map(byTenant(talliesOf(facts, period, shape.today)).map((tallies) => [tallies.tenantId, tallies]));
      for (const tenant of tenants) {
        const tallies = fresh.get(tenant) ?? emptyOf(tenant);
        fresh.set(tenant, tallies);
        this.kept.set(`${tenant} ${key}`, versions.get(tenant)!, tallies);
      }
      return fresh;
    });
    const settled = reading.finally(() => {
      for (const tenant of tenants) this.reading.delete(`${tenant} ${key} ${versions.get(tenant)!}`);
    });
    for (const tenant of tenants) {
      const one = settled.then((fresh) => fresh.get(tenant)!);
      // Whoever awaits a read handles its failure; one nobody joined must not become an unhandled rejection.
      one.catch(() => undefined);
      this.reading.set(`${tenant} ${key} ${versions.get(tenant)!}`, one);
    }
    return settled;
  }

  private noteAsked(key: string, shape: TallyShape, tenants: readonly string[]): void {
    const now = Date.now();
    const entry = this.asked.get(key);
    if (entry) {
      for (const tenant of tenants) entry.tenants.add(tenant);
      entry.at = now;
      this.asked.delete(key);
      this.asked.set(key, entry);
    } else this.asked.set(key, { shape, tenants: new Set(tenants), at: now });
    if (this.asked.size > ASKED_SHAPES) this.asked.delete(this.asked.keys().next().value!);
  }

  private schedule(): void {
    if (this.stopping) return;
    this.timer = setTimeout(() => {
      this.refreshing = this.tick()
        .catch((error: Error) => this.log('warn', 'reporting: refreshing the kept figures failed', { error: error.message }))
        .finally(() => this.schedule());
    }, this.config.REPORTING_TALLIES_REFRESH_MS);
    this.timer.unref();
  }

  /**
   * Refreshes when the facts moved since the last refresh: at once when few CCAS moved (office hours: a file decided
   * here, a payment missed there), otherwise (a catch-up, a rebuild) once the facts stood still for STILL_MS. After a
   * refresh it rests four times as long as the refresh took, so refreshing never takes more than a fifth of the time.
   */
  private async tick(): Promise<void> {
    const version = await readModelVersion(this.pool);
    const now = Date.now();
    if (version !== this.lastSeen) {
      this.lastSeen = version;
      this.movedAt = now;
    }
    if (version === this.refreshedAt || now < this.restUntil) return;
    const refreshed = await this.refresh(version, now - this.movedAt >= STILL_MS ? Infinity : FEW_CCAS);
    // Too many CCAS moved: looked again a little later, not at every tick of a catch-up.
    this.restUntil = refreshed ? Date.now() + 4 * (Date.now() - now) : Date.now() + STILL_MS / 4;
  }

  /**
   * The current year and quarter of every known CCAS, and the shapes asked for recently, brought up to date with the
   * facts as they were at `version` (read before: a write meanwhile makes a later look refresh again) — unless more
   * than `upTo` CCAS would be read. Returns whether it refreshed.
   */
  private async refresh(version: string, upTo = Infinity, by: 'start' | 'refresh' = 'refresh'): Promise<boolean> {
    const today = this.clock().toISOString().slice(0, 10);
    const known = await knownTenants(this.pool);
    const year = today.slice(0, 4);
    const shapes = new Map<string, [TallyShape, readonly string[]]>();
    const add = (shape: TallyShape, tenants: readonly string[]) => {
      const key = answerKey({ period: shape.period, product: shape.product, today: shape.today });
      const found = shapes.get(key);
      shapes.set(key, [shape, found ? [...new Set([...found[1], ...tenants])] : tenants]);
    };
    add({ period: year, today }, known);
    add({ period: `${year}-Q${Math.ceil(Number(today.slice(5, 7)) / 3)}`, today }, known);
    const now = Date.now();
    for (const entry of this.asked.values()) if (now - entry.at < ASKED_KEEP_MS && entry.shape.today === today) add(entry.shape, [...entry.tenants]);
    const versions = await tenantVersions(this.pool, [...new Set([...shapes.values()].flatMap(([, tenants]) => tenants))]);
    const work: Array<[TallyShape, string, string[]]> = [];
    const moved = new Set<string>();
    for (const [key, [shape, tenants]] of shapes) {
      // Not noted as asked: only answers keep a shape fresh.
      const stale = tenants.filter((tenant) => versions.get(tenant) !== 'none' && !this.kept.get(`${tenant} ${key}`, versions.get(tenant)!) && !this.reading.has(`${tenant} ${key} ${versions.get(tenant)!}`));
      for (const tenant of stale) moved.add(tenant);
      if (stale.length > 0) work.push([shape, key, stale]);
    }
    if (moved.size > upTo) return false;
    for (const [shape, key, stale] of work) {
      if (this.stopping) return false;
      this.tenantsRead.inc({ by }, stale.length);
      await this.read(stale, shape, key, versions);
    }
    this.refreshedAt = version;
    this.refreshedWrites.set(Number(version));
    return true;
  }
}

function emptyOf(tenantId: string): TenantTallies {
  return { tenantId, byProduct: [], whole: emptyTally() };
}
