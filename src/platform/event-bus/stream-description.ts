/** What an operator sees of one event's stream: its length and each subscribing pipeline's position. */
export interface StreamDescription {
  event: string;
  length: number;
  groups: GroupDescription[];
}

export interface GroupDescription {
  /** The consumer group is the pipeline. */
  pipeline: string;
  /** Delivered to a consumer and not yet acknowledged. */
  pending: number;
  /** Events in the stream the group has not read yet; null when the broker cannot tell. */
  lag: number | null;
  consumers: ConsumerDescription[];
}

export interface ConsumerDescription {
  name: string;
  pending: number;
  idleMs: number;
}
