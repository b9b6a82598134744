/** Who issues a command, as the verified token says; four-eyes rules compare userIds. */
export interface Actor {
  readonly userId: string;
  readonly role: string;
}
