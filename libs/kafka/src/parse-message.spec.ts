import { controlCommandSchema } from '@streamforge/schemas';
import { parseMessage } from './parse-message';

describe('parseMessage', () => {
  it('returns the parsed value', () => {
    const parsed = parseMessage(controlCommandSchema, Buffer.from('{"command":"stop","queue_id":"q"}'));
    expect(parsed).toEqual({ ok: true, value: { command: 'stop', queue_id: 'q' } });
  });

  it('explains a value that is not JSON', () => {
    expect(parseMessage(controlCommandSchema, Buffer.from('{oops'))).toEqual({ ok: false, reason: expect.stringMatching(/^not JSON: /) });
  });

  it('explains a schema failure with the field and value', () => {
    const parsed = parseMessage(controlCommandSchema, Buffer.from('{"command":"stop","queue_id":42}'));
    expect(parsed).toEqual({ ok: false, reason: expect.stringMatching(/^queue_id: .*string.*\(got 42\)$/) });
  });

  it('explains a null value (tombstone)', () => {
    expect(parseMessage(controlCommandSchema, null)).toEqual({ ok: false, reason: 'empty message (null value)' });
  });
});
