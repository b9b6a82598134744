export interface Decider<Command, Event, State> {
  readonly initialState: () => State;
  readonly evolve: (state: State, event: Event) => State;
  readonly decide: (command: Command, state: State) => Event[];
}

export function foldEvents<Event, State>(decider: Pick<Decider<unknown, Event, State>, 'evolve'>, state: State, events: Iterable<Event>): State {
  let current = state;
  for (const event of events) current = decider.evolve(current, event);
  return current;
}
