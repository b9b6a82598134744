/** Who issues a command, as the verified token says; the four-eyes rules compare userIds. */
export interface Actor {
  readonly userId: string;
  readonly role: string;
}
