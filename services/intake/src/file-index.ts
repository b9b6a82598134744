import type { DataSource } from 'typeorm';
import type { CommandExecutor } from '@tremplin/commands';
import { inTenant } from '@tremplin/service-kit';
import { applicationAggregate } from './application/application.decider';
import { applicationStreamId } from './application/application.events';
import { FileListEntity } from './application/file-list.entity';

export const FILE_INDEX = Symbol('FILE_INDEX');

/** Which files a person has (from the read model), and which of them block erasure (from the store and their streams). */
export interface FileIndex {
  ofBeneficiary(tenantId: string, beneficiaryId: string): Promise<string[]>;
  blocking(tenantId: string, beneficiaryId: string): Promise<{ withLiveLoan: string[]; inProgress: string[] }>;
}

export function createFileIndex(readModel: DataSource, executor: CommandExecutor): FileIndex {
  const ofBeneficiary = async (tenantId: string, beneficiaryId: string) =>
    (await inTenant(readModel, tenantId, (manager) => manager.find(FileListEntity, { where: { beneficiaryId }, order: { openedAt: 'ASC' } }))).map((row) => row.applicationId);
  return {
    ofBeneficiary,
    async blocking(tenantId, beneficiaryId) {
      const withLiveLoan: string[] = [];
      const inProgress: string[] = [];
      // The person's files from the store, by each file's opening (indexed, migration 0007): the file list may not show
      // a file opened a moment ago, and erasure must never pass one in progress.
      const opened: Array<{ applicationId: string }> = await inTenant(readModel, tenantId, (manager) =>
        manager.query(
          `SELECT data->>'applicationId' AS "applicationId" FROM es.events
            WHERE tenant_id = $1 AND type = 'ApplicationOpened' AND data->>'beneficiaryId' = $2 ORDER BY global_position`,
          [tenantId, beneficiaryId],
        ),
      );
      for (const { applicationId } of opened) {
        // The stream, not the row: the decision must not rest on a projection that may lag.
        const { state } = await executor.read(applicationAggregate, tenantId, applicationStreamId(applicationId));
        // A granted loan keeps the file until lending says it ended (repaid or written off).
        if (state.status === 'transmitted' || (state.status === 'closed' && state.outcome === 'loanApproved' && !state.loanEndedAt)) withLiveLoan.push(applicationId);
        else if (state.status === 'building' || state.status === 'submitted' || state.status === 'approved') inProgress.push(applicationId);
      }
      return { withLiveLoan, inProgress };
    },
  };
}
