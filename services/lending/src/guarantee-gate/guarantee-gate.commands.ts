/** The guarantee fund answered, over Kafka: lending notes it on the loan's gate. */
export interface NoteGuaranteeGranted {
  readonly type: 'NoteGuaranteeGranted';
  readonly guarantorId: string;
  readonly guaranteedCents: number;
  readonly grantedAt: string;
}

export interface NoteGuaranteeRefused {
  readonly type: 'NoteGuaranteeRefused';
  readonly reasonCode: string;
  readonly refusedAt: string;
}

export type GuaranteeGateCommand = NoteGuaranteeGranted | NoteGuaranteeRefused;
