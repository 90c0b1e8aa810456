export interface ReceivedEvent {
  event: string;
  data: Record<string, unknown>;
}

/** One `event:`/`data:` block as the backend writes it (its data is one line of JSON). */
function parsedBlock(block: string): ReceivedEvent {
  const [eventLine = '', dataLine = ''] = block.split('\n');
  return {
    event: eventLine.slice('event: '.length),
    data: JSON.parse(dataLine.slice('data: '.length)) as Record<string, unknown>,
  };
}

/** Every event of a whole stream's text, in order. */
export function eventsOf(text: string): ReceivedEvent[] {
  return text.split('\n\n').filter(Boolean).map(parsedBlock);
}

/** The reply the `delta` events spell. */
export function deltaText(events: readonly ReceivedEvent[]): string {
  return events
    .filter(({ event }) => event === 'delta')
    .map(({ data }) => String(data['text']))
    .join('');
}

/** Reads server-sent events as they arrive, so a test can tell what came before what. */
export class EventReader {
  private readonly reader: ReadableStreamDefaultReader<string>;
  private buffer = '';
  readonly received: ReceivedEvent[] = [];

  constructor(response: Response) {
    if (!response.body) throw new Error('a response without a body');
    this.reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  }

  /** The next event; undefined once the stream has ended. */
  async next(): Promise<ReceivedEvent | undefined> {
    for (;;) {
      const end = this.buffer.indexOf('\n\n');
      if (end >= 0) {
        const received = parsedBlock(this.buffer.slice(0, end));
        this.buffer = this.buffer.slice(end + 2);
        this.received.push(received);
        return received;
      }
      const { done, value } = await this.reader.read();
      if (done) return undefined;
      this.buffer += value;
    }
  }

  /** Every event, those read already included, once the stream has ended. */
  async rest(): Promise<ReceivedEvent[]> {
    while (await this.next());
    return this.received;
  }
}
