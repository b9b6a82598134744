import { Header, Inject, Param } from '@nestjs/common';
import type { z } from 'zod';
import type { PostgresEventStore } from '@tremplin/event-store-postgres';
import type { PrivacyVault } from '@tremplin/privacy';
import { ApiController, CLOCK, Command, CommandRoute, EVENT_STORE, PRIVACY_VAULT, QueryRoute, type Clock, type CommandInput } from '@tremplin/service-kit';
import { accessExport, accessExportHtml } from '../records';
import { consentBody, emptyBody, informationBody, pathId, registerBody, updateBody } from '../requests';
import { FILE_INDEX, type FileIndex } from '../file-index';
import { BENEFICIARY_HANDLER, type BeneficiaryHandler } from './beneficiary.handler';

/** The person: identity, contact, household, situation, consents; their right of access and of erasure. */
@ApiController('tenants/:tenantId/beneficiaries', 'beneficiaries')
export class BeneficiaryController {
  constructor(
    @Inject(BENEFICIARY_HANDLER) private readonly handler: BeneficiaryHandler,
    @Inject(EVENT_STORE) private readonly store: PostgresEventStore,
    @Inject(PRIVACY_VAULT) private readonly vault: PrivacyVault,
    @Inject(FILE_INDEX) private readonly files: FileIndex,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @CommandRoute({ path: '', body: registerBody, access: 'file.write', status: 201, summary: 'Register a person (identity, contact, situation sealed under their own key; household counts)' })
  register(@Command() input: CommandInput<z.infer<typeof registerBody>>) {
    return this.handler.register(input);
  }

  @CommandRoute({ path: ':beneficiaryId/situation', body: updateBody, access: 'file.write', summary: 'Record a new contact, situation or household' })
  update(@Command() input: CommandInput<z.infer<typeof updateBody>>) {
    return this.handler.update(pathId(input.params, 'beneficiaryId'), input);
  }

  @CommandRoute({ path: ':beneficiaryId/consents', body: consentBody, access: 'file.write', summary: 'Record a consent given or withdrawn' })
  consent(@Command() input: CommandInput<z.infer<typeof consentBody>>) {
    return this.handler.consent(pathId(input.params, 'beneficiaryId'), input);
  }

  @CommandRoute({ path: ':beneficiaryId/information-given', body: informationBody, access: 'file.write', summary: 'Record that the person was informed (e.g. the accompanied nature of the loan)' })
  information(@Command() input: CommandInput<z.infer<typeof informationBody>>) {
    return this.handler.informationGiven(pathId(input.params, 'beneficiaryId'), input);
  }

  @CommandRoute({ path: ':beneficiaryId/erasure', body: emptyBody, access: 'privacy.erase', summary: 'Right to erasure: shreds the person’s key (refused while a file is with the bank or tied to a live loan)' })
  erase(@Command() input: CommandInput<z.infer<typeof emptyBody>>) {
    return this.handler.erase(pathId(input.params, 'beneficiaryId'), input);
  }

  @QueryRoute({ path: ':beneficiaryId/export', access: 'file.read', summary: 'Right of access: everything recorded about the person and their files, opened (JSON)' })
  async export(@Param('tenantId') tenantId: string, @Param('beneficiaryId') beneficiaryId: string) {
    const id = pathId({ beneficiaryId }, 'beneficiaryId');
    return accessExport(this.store, this.vault, tenantId, id, await this.files.ofBeneficiary(tenantId, id), this.clock().toISOString());
  }

  @QueryRoute({ path: ':beneficiaryId/export.html', access: 'file.read', summary: 'Right of access as a printable page' })
  @Header('Content-Type', 'text/html; charset=utf-8')
  async exportHtml(@Param('tenantId') tenantId: string, @Param('beneficiaryId') beneficiaryId: string) {
    return accessExportHtml(await this.export(tenantId, beneficiaryId));
  }
}
