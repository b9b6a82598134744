import { decodeEvent, notFoundError, type Aggregate, type RecordedEvent } from '@tremplin/event-sourcing';
import type { PostgresEventStore } from '@tremplin/event-store-postgres';
import type { PrivacyVault } from '@tremplin/privacy';
import { applicationAggregate } from './application/application.decider';
import { applicationStreamId } from './application/application.events';
import { beneficiaryAggregate, ERASED_FIELDS, KEPT_FACTS } from './beneficiary/beneficiary.decider';
import { beneficiaryStreamId } from './beneficiary/beneficiary.events';

/** One event as a person, an auditor or a social worker reads it: personal fields opened, or "[erased]". */
export interface RecordView {
  readonly streamVersion: number;
  readonly type: string;
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly actor?: string;
  readonly data: unknown;
}

export async function readRecords(
  store: PostgresEventStore,
  vault: PrivacyVault,
  aggregate: Aggregate<never, { type: string; data: unknown }, unknown>,
  tenantId: string,
  streamId: string,
  asOf?: string,
): Promise<{ events: RecordedEvent[]; views: RecordView[] }> {
  const events = await store.readStream({ tenantId, streamId }, asOf ? { asOf } : {});
  const decoded = events.map((event) => decodeEvent(aggregate, event));
  const opened = await vault.decryptFields(tenantId, decoded.map((event) => event.data));
  const views = events.map((event, i) => ({
    streamVersion: event.streamVersion,
    type: event.type,
    occurredAt: event.metadata.occurredAt,
    recordedAt: event.recordedAt,
    ...(event.metadata.actorId ? { actor: event.metadata.actorId } : {}),
    data: opened[i],
  }));
  return { events, views };
}

/** Right of access: everything recorded about the person, opened, with what erasure would remove and keep. */
export async function accessExport(store: PostgresEventStore, vault: PrivacyVault, tenantId: string, beneficiaryId: string, applicationIds: readonly string[], generatedAt: string) {
  const person = await readRecords(store, vault, beneficiaryAggregate as never, tenantId, beneficiaryStreamId(beneficiaryId));
  if (person.events.length === 0) throw notFoundError('BENEFICIARY_NOT_FOUND', 'no such beneficiary in this CCAS', 'beneficiaryId');
  const files = [];
  for (const applicationId of applicationIds) {
    const file = await readRecords(store, vault, applicationAggregate as never, tenantId, applicationStreamId(applicationId));
    files.push({ applicationId, records: file.views });
  }
  return {
    beneficiaryId,
    generatedAt,
    controller: tenantId,
    records: person.views,
    files,
    erasure: { erases: ERASED_FIELDS, keeps: KEPT_FACTS, blockedWhile: 'a file is with the bank or tied to a granted loan that has not ended' },
  };
}

const escape = (value: string) => value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function render(value: unknown): string {
  if (value === null || value === undefined) return '<em>—</em>';
  if (Array.isArray(value)) return value.length === 0 ? '<em>none</em>' : `<ol>${value.map((item) => `<li>${render(item)}</li>`).join('')}</ol>`;
  if (typeof value === 'object') return `<dl>${Object.entries(value).map(([key, item]) => `<dt>${escape(key)}</dt><dd>${render(item)}</dd>`).join('')}</dl>`;
  return escape(String(value));
}

/** The same export as a printable page (every value escaped). */
export function accessExportHtml(exported: Awaited<ReturnType<typeof accessExport>>): string {
  return `<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Vos données — ${escape(exported.beneficiaryId)}</title>
<style>body{font:14px/1.4 sans-serif;margin:2em;max-width:60em}dt{font-weight:bold}dd{margin:0 0 .4em 1.5em}section{page-break-inside:avoid;border-top:1px solid #999;margin-top:1em}@media print{body{margin:0}}</style></head>
<body><h1>Ce que le CCAS a enregistré à votre sujet</h1>
<p>Personne ${escape(exported.beneficiaryId)} — CCAS ${escape(exported.controller)} — édité le ${escape(exported.generatedAt)}</p>
<section><h2>Vous</h2>${render(exported.records)}</section>
${exported.files.map((file) => `<section><h2>Dossier ${escape(file.applicationId)}</h2>${render(file.records)}</section>`).join('\n')}
<section><h2>Effacement</h2>${render(exported.erasure)}</section>
</body></html>`;
}
